namespace Portal.WeChat.Protocol.Permissions;

/// <summary>
/// The permission-set catalogue of reference §6. WeChat keeps adding ids: an unknown id is never dropped,
/// it is shown as "permission set N" / "权限集 N".
/// </summary>
public static class FuncScopeCatalog
{
    private static readonly FuncScope[] Known =
    [
        new(1, "消息管理权限", "Message management", AccountSide.OfficialAccount, false),
        new(2, "用户管理权限", "User management", AccountSide.OfficialAccount, false),
        new(3, "帐号服务权限", "Account service", AccountSide.OfficialAccount, false),
        new(4, "网页服务权限", "Web services", AccountSide.OfficialAccount, false),
        new(5, "微信小店权限", "WeChat Store", AccountSide.OfficialAccount, false),
        new(6, "微信多客服权限", "WeChat multi-customer-service", AccountSide.OfficialAccount, false),
        new(7, "群发与通知权限", "Mass messaging & notification", AccountSide.OfficialAccount, false),
        new(8, "微信卡券权限", "WeChat card/voucher", AccountSide.OfficialAccount, false),
        new(9, "微信扫一扫权限", "WeChat Scan", AccountSide.OfficialAccount, false),
        new(10, "微信连WIFI权限", "WeChat Wi-Fi", AccountSide.OfficialAccount, false),
        new(11, "素材管理权限", "Material (media asset) management", AccountSide.OfficialAccount, false),
        new(12, "微信摇周边权限", "WeChat Shake Nearby", AccountSide.OfficialAccount, false),
        new(13, "微信门店权限", "WeChat stores (POI)", AccountSide.OfficialAccount, false),
        new(14, "微信支付权限", "WeChat Pay", AccountSide.OfficialAccount, false),
        new(15, "自定义菜单权限", "Custom menu", AccountSide.OfficialAccount, false),
        new(16, "获取认证状态及信息", "Verification status & info", AccountSide.OfficialAccount, false),
        new(17, "帐号管理权限（小程序）", "Account management / get mini-program code", AccountSide.MiniProgram, false),
        new(18, "开发管理与数据分析权限", "Development management & data analysis", AccountSide.MiniProgram, true),
        new(19, "客服消息管理权限", "Customer-service message management", AccountSide.MiniProgram, false),
        new(20, "微信登录权限", "WeChat login", AccountSide.MiniProgram, false),
        new(21, "数据分析权限", "Data analysis", AccountSide.MiniProgram, false),
        new(22, "城市服务接口权限", "City services API", AccountSide.OfficialAccount, false),
        new(23, "广告管理权限", "Advertising management", AccountSide.OfficialAccount, false),
        new(24, "开放平台帐号管理权限", "Open Platform account management", AccountSide.OfficialAccount, false),
        new(25, "开放平台帐号管理权限（小程序）", "Open Platform account management (mini program)", AccountSide.MiniProgram, true),
        new(26, "微信电子发票权限", "WeChat e-invoice", AccountSide.OfficialAccount, false),
        new(27, "快速注册小程序权限", "Fast-register mini program", AccountSide.OfficialAccount, false),
        new(30, "小程序基本信息设置权限", "Mini-program basic info management", AccountSide.MiniProgram, false),
        new(31, "小程序认证名称检测", "Verification name check", AccountSide.MiniProgram, false),
        new(33, "小程序管理权限", "Mini-program management", AccountSide.OfficialAccount, false),
        new(34, "微信商品库权限", "WeChat product library", AccountSide.Unspecified, false),
        new(35, "微信公众号卡路里权限", "WeChat calorie (official account)", AccountSide.OfficialAccount, false),
        new(36, "微信小程序卡路里权限", "WeChat calorie (mini program)", AccountSide.MiniProgram, false),
        new(37, "小程序附近地点权限集", "Nearby mini-program locations", AccountSide.MiniProgram, false),
        new(40, "小程序插件管理权限集", "Plugin management", AccountSide.MiniProgram, true),
        new(41, "好物圈管理", "Good-stuff circle management", AccountSide.MiniProgram, false),
        new(44, "好物圈权限", "Good-stuff circle", AccountSide.Unspecified, false),
        new(45, "微信物流服务", "WeChat logistics", AccountSide.MiniProgram, false),
        new(46, "微信一物一码权限", "One-item-one-code", AccountSide.Unspecified, false),
        new(47, "微信财政电子票据权限", "Fiscal e-bills", AccountSide.Unspecified, false),
        new(48, "微信财政电子票据管理", "Fiscal e-bill management", AccountSide.Unspecified, false),
        new(49, "云开发管理权限集", "Cloud development management", AccountSide.MiniProgram, false),
        new(51, "即时配送权限", "Instant delivery", AccountSide.MiniProgram, false),
        new(52, "小程序直播权限集", "Mini-program live streaming", AccountSide.MiniProgram, false),
        new(54, "服务号对话权限", "Service-account conversation", AccountSide.OfficialAccount, false),
        new(65, "广告管理权限（小程序）", "Advertising management (mini program)", AccountSide.MiniProgram, false),
        new(66, "服务平台管理权限", "Service platform management", AccountSide.OfficialAccount, false),
        new(67, "服务平台管理权限（小程序）", "Service platform management (mini program)", AccountSide.MiniProgram, false),
        new(70, "商品管理权限", "Product management", AccountSide.MiniProgram, false),
        new(71, "订单与物流管理权限", "Order & logistics management", AccountSide.MiniProgram, false),
        new(73, "标准版交易组件接入权限", "Standard transaction component", AccountSide.MiniProgram, false),
        new(76, "违规和申诉管理权限", "Violation & appeal management", AccountSide.MiniProgram, false),
        new(81, "快速体验小程序权限", "Trial (beta) mini program", AccountSide.Unspecified, false),
        new(84, "优惠券权限集", "Coupons", AccountSide.Unspecified, false),
        new(85, "自定义版交易组件", "Custom transaction component", AccountSide.MiniProgram, false),
        new(86, "小商店装修", "Mini-shop decoration", AccountSide.Unspecified, false),
        new(88, "获取小程序链接", "Get mini-program links", AccountSide.MiniProgram, false),
        new(89, "订阅通知权限", "Subscription notifications", AccountSide.Unspecified, false),
        new(93, "小程序联盟权限", "Mini-program alliance", AccountSide.MiniProgram, false),
        new(99, "云开发短信服务", "Cloud-dev SMS", AccountSide.MiniProgram, false),
        new(102, "云开发微信支付", "Cloud-dev WeChat Pay", AccountSide.MiniProgram, false),
        new(104, "标准版组件资金链路", "Standard component fund flow", AccountSide.Unspecified, false),
        new(105, "城市服务", "City services", AccountSide.Unspecified, false),
        new(107, "连接器电商场景接入", "Connector e-commerce", AccountSide.Unspecified, false),
        new(112, "红包封面管理", "Red-packet cover management", AccountSide.Unspecified, false),
        new(116, "获取自定义版交易组件数据", "Custom transaction component data", AccountSide.Unspecified, false),
        new(117, "小程序图像处理", "Image processing", AccountSide.MiniProgram, false),
        new(118, "硬件服务", "Hardware services", AccountSide.Unspecified, false),
        new(119, "小程序支付管理服务", "Mini-program payment management", AccountSide.MiniProgram, false),
        new(120, "小程序购物订单", "Mini-program shopping orders", AccountSide.MiniProgram, false),
        new(121, "公众号购物订单", "Official-account shopping orders", AccountSide.OfficialAccount, false),
        new(129, "视频号小店商品管理", "Channels shop: products", AccountSide.Channels, false),
        new(130, "视频号小店物流管理", "Channels shop: logistics", AccountSide.Channels, false),
        new(131, "视频号小店订单与售后管理", "Channels shop: orders & after-sales", AccountSide.Channels, false),
        new(132, "视频号小店优惠券管理", "Channels shop: coupons", AccountSide.Channels, false),
        new(133, "视频号商品橱窗管理", "Channels product window", AccountSide.Channels, false),
        new(135, "流量主代运营权限集", "Ad-revenue agency operation", AccountSide.MiniProgram, false),
        new(138, "视频号小店资金管理", "Channels shop: funds", AccountSide.Channels, false),
        new(139, "小程序运费险", "Shipping insurance", AccountSide.MiniProgram, false),
        new(140, "小程序推广员", "Promoters", AccountSide.MiniProgram, false),
        new(141, "视频号小店优选联盟", "Channels shop: preferred alliance", AccountSide.Channels, false),
        new(142, "小程序发货管理服务", "Shipping management", AccountSide.MiniProgram, false),
        new(144, "微信学生身份验证权限集", "Student identity verification", AccountSide.Unspecified, false),
        new(151, "小程序交易保障", "Transaction protection", AccountSide.MiniProgram, false),
        new(153, "微短剧小程序资源管理", "Mini-drama resources", AccountSide.MiniProgram, false),
        new(156, "小程序备案服务", "ICP filing service", AccountSide.MiniProgram, false),
        new(157, "小程序虚拟支付管理权限", "Virtual payment management", AccountSide.MiniProgram, false),
        new(159, "视频号电子面单管理", "Channels e-waybill", AccountSide.Channels, false),
        new(161, "微信客服管理", "WeChat customer service", AccountSide.Unspecified, false),
    ];

    private static readonly Dictionary<int, FuncScope> ById = Known.ToDictionary(s => s.Id);

    /// <summary>Every known permission set, by id.</summary>
    public static IReadOnlyList<FuncScope> All => Known;

    /// <summary>The permission set with this id; a generic entry for ids the catalogue does not know.</summary>
    public static FuncScope Get(int id)
        => ById.TryGetValue(id, out var scope)
            ? scope
            : new FuncScope(id, $"权限集 {id}", $"permission set {id}", AccountSide.Unspecified, MutuallyExclusive: false, IsKnown: false);

    /// <summary>Whether the catalogue knows this id.</summary>
    public static bool IsKnown(int id) => ById.ContainsKey(id);
}
