namespace Portal.WeChat.Emulator.Model;

/// <summary>
/// The accounts the emulated authorization page offers: demo merchants (service and subscription accounts, mini
/// programs, one banned, one unverified, one whose exclusive set is held elsewhere) and the official full-network
/// test accounts of all five groups (reference §7).
/// </summary>
public static class SeedAccounts
{
    public static IReadOnlyList<EmulatedAccount> Create()
    {
        var accounts = new List<EmulatedAccount>
        {
            new() { AppId = "wx1a2b3c4d5e6f7001", UserName = "gh_5e6f7a8b9001", NickName = "好味道餐厅", IsMiniProgram = false, PrincipalName = "上海好味道餐饮管理有限公司", ServiceType = 2, VerifyType = 0, Alias = "haoweidao", Signature = "本帮菜，三十年老店" },
            new() { AppId = "wx1a2b3c4d5e6f7002", UserName = "gh_5e6f7a8b9002", NickName = "晨光咖啡", IsMiniProgram = false, PrincipalName = "杭州晨光咖啡有限公司", ServiceType = 2, VerifyType = 0, Alias = "morningcoffee", Signature = "每天第一杯咖啡" },
            new() { AppId = "wx1a2b3c4d5e6f7003", UserName = "gh_5e6f7a8b9003", NickName = "城东书店", IsMiniProgram = false, PrincipalName = "城东书店（个体工商户）", ServiceType = 0, VerifyType = 0, Signature = "读书的地方" },
            new() { AppId = "wx1a2b3c4d5e6f7004", UserName = "gh_5e6f7a8b9004", NickName = "未认证的花店", IsMiniProgram = false, PrincipalName = "王小花", ServiceType = 0, VerifyType = -1, Signature = "尚未完成微信认证" },
            new() { AppId = "wx1a2b3c4d5e6f7005", UserName = "gh_5e6f7a8b9005", NickName = "已封禁的帐号", IsMiniProgram = false, PrincipalName = "某某贸易有限公司", ServiceType = 2, VerifyType = 0, AccountStatus = 16 },
            new() { AppId = "wx1a2b3c4d5e6f7101", UserName = "gh_5e6f7a8b9101", NickName = "好味道点餐", IsMiniProgram = true, PrincipalName = "上海好味道餐饮管理有限公司", VerifyType = 0, Signature = "扫码点餐小程序" },
            new() { AppId = "wx1a2b3c4d5e6f7102", UserName = "gh_5e6f7a8b9102", NickName = "晨光会员", IsMiniProgram = true, PrincipalName = "杭州晨光咖啡有限公司", VerifyType = 0, Signature = "会员积分与优惠券" },
            new() { AppId = "wx1a2b3c4d5e6f7103", UserName = "gh_5e6f7a8b9103", NickName = "城东书店商城", IsMiniProgram = true, PrincipalName = "城东书店（个体工商户）", VerifyType = 0, HeldByOtherPlatform = [18], Signature = "开发管理权已授权给其他服务商" },
        };

        var groups = new (string OaAppId, string OaUser, string MpAppId, string MpUser)[]
        {
            ("wx570bc396a51b8ff8", "gh_3c884a361561", "wxd101a85aa106f53e", "gh_8dad206e9538"),
            ("wx9252c5e0bb1836fc", "gh_c0f28a78b318", "wxc39235c15087f6f3", "gh_905ae9d01059"),
            ("wx8e1097c5bc82cde9", "gh_3f222ed8d140", "wx7720d01d4b2a4500", "gh_393666f1fdf4"),
            ("wx14550af28c71a144", "gh_26128078e9ab", "wx05d483572dcd5d8b", "gh_39abb5d4e1b7"),
            ("wxa35b9c23cfe664eb", "gh_2b3713f184a6", "wx5910277cae6fd970", "gh_7818dcb60240"),
        };

        for (var i = 0; i < groups.Length; i++)
        {
            var g = groups[i];
            accounts.Add(new() { AppId = g.OaAppId, UserName = g.OaUser, NickName = $"全网发布测试公众号{i + 1}", IsMiniProgram = false, PrincipalName = "腾讯计算机系统有限公司", ServiceType = 2, VerifyType = 0, ReleaseTestGroup = i + 1 });
            accounts.Add(new() { AppId = g.MpAppId, UserName = g.MpUser, NickName = $"全网发布测试小程序{i + 1}", IsMiniProgram = true, PrincipalName = "腾讯计算机系统有限公司", VerifyType = 0, ReleaseTestGroup = i + 1 });
        }

        return accounts;
    }
}
