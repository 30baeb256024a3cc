namespace Portal.WeChat.Emulator;

/// <summary>Where the emulator's endpoints are mounted (<c>/_emulator</c> inside the portal, empty standalone).</summary>
public sealed class EmulatorMount
{
    public string Prefix { get; set; } = string.Empty;

    /// <summary>False until mapped: a host that registers the emulator but does not mount it pushes nothing.</summary>
    public bool IsMapped { get; set; }
}
