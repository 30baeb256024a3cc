using MudBlazor;

namespace Portal.Web.Components.Layout;

/// <summary>The portal's one theme: WeChat green on a neutral shell, a CJK-first font stack, light and dark.</summary>
public static class PortalTheme
{
    private static readonly string[] Fonts =
        ["-apple-system", "BlinkMacSystemFont", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#07A35A",
            PrimaryDarken = "#05803F",
            PrimaryLighten = "#2BB673",
            Secondary = "#576B95",
            Tertiary = "#FA9D3B",
            Success = "#07A35A",
            Warning = "#C77700",
            Error = "#D93025",
            Info = "#1F6FEB",
            AppbarBackground = "#1F2328",
            AppbarText = "#FFFFFF",
            Background = "#F6F8FA",
            Surface = "#FFFFFF",
            DrawerBackground = "#FFFFFF",
            DrawerText = "#1F2328",
            TextPrimary = "#1F2328",
            TextSecondary = "#57606A",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#2BB673",
            PrimaryDarken = "#07A35A",
            Secondary = "#8FA3C8",
            Tertiary = "#FFB35C",
            Success = "#3FCF8E",
            Warning = "#F2B544",
            Error = "#FF6B5E",
            Info = "#58A6FF",
            AppbarBackground = "#161B22",
            Background = "#0D1117",
            Surface = "#161B22",
            DrawerBackground = "#161B22",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = Fonts },
            H1 = new H1Typography { FontFamily = Fonts },
            H4 = new H4Typography { FontFamily = Fonts, FontSize = "1.6rem", FontWeight = "600", LineHeight = "1.3" },
            H5 = new H5Typography { FontFamily = Fonts, FontSize = "1.3rem", FontWeight = "600", LineHeight = "1.35" },
            H6 = new H6Typography { FontFamily = Fonts, FontSize = "1.1rem", FontWeight = "600", LineHeight = "1.4" },
            Button = new ButtonTypography { FontFamily = Fonts, TextTransform = "none", FontWeight = "500" },
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "232px", DefaultBorderRadius = "6px" },
    };
}
