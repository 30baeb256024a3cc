namespace Portal.WeChat.Emulator.Model;

/// <summary>An official account or mini program that an administrator can authorize on the emulated page.</summary>
public sealed class EmulatedAccount
{
    public required string AppId { get; init; }

    public required string UserName { get; init; }

    public required string NickName { get; init; }

    public required bool IsMiniProgram { get; init; }

    public required string PrincipalName { get; init; }

    /// <summary>OA: 0 subscription, 1 upgraded subscription, 2 service; mini program: 0.</summary>
    public int ServiceType { get; init; }

    /// <summary>-1 unverified, 0 WeChat verified, …</summary>
    public int VerifyType { get; init; }

    /// <summary>1 normal, 14 deregistered, 16 banned, 18 warned, 19 frozen.</summary>
    public int AccountStatus { get; set; } = 1;

    public string Alias { get; init; } = string.Empty;

    public string Signature { get; init; } = string.Empty;

    /// <summary>Mutually exclusive sets this account already granted to another platform: silently dropped on grant.</summary>
    public HashSet<int> HeldByOtherPlatform { get; init; } = [];

    /// <summary>Which full-network release test group (1–5) it belongs to, if any.</summary>
    public int? ReleaseTestGroup { get; init; }

    /// <summary>Created in bulk for benchmarks; never listed on the authorization page.</summary>
    public bool IsSynthetic { get; init; }

    public string HeadImg => $"http://wx.qlogo.cn/mmopen/{UserName}/0";

    public string QrcodeUrl => $"http://mmbiz.qpic.cn/mmbiz_jpg/{UserName}/0";

    public bool IsListable => AccountStatus == 1;
}
