namespace Portal.Web.Features.Admin;

/// <summary>Resource keys for WeChat's numeric account fields (reference §3.5).</summary>
public static class AccountLabels
{
    /// <summary>account_status values: 1 normal, 14 deregistered, 16 banned, 18 warned, 19 frozen.</summary>
    public static readonly int[] Statuses = [1, 14, 16, 18, 19];

    public static string StatusKey(int status) => Array.IndexOf(Statuses, status) >= 0 ? "account.status." + status : "account.status.other";

    /// <summary>verify_type_info: -1 unverified, 0 WeChat verified, 1–5 other verification routes.</summary>
    public static string VerifyKey(int verifyType) => verifyType switch
    {
        -1 => "account.verify.none",
        0 => "account.verify.wechat",
        _ => "account.verify.other",
    };

    /// <summary>service_type_info of official accounts: 0/1 subscription, 2 service.</summary>
    public static string ServiceKey(int serviceType) => serviceType == 2 ? "account.service.service" : "account.service.subscription";
}
