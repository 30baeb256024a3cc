namespace Portal.Web.Features.Onboarding.Pages;

/// <summary>Where the launch page is opened: WeChat's own browser, another phone browser, or a computer.</summary>
public enum DeviceKind
{
    Desktop,
    Phone,
    WeChat,
}

public static class Devices
{
    public static DeviceKind Of(string? userAgent)
    {
        var ua = userAgent ?? string.Empty;
        if (ua.Contains("MicroMessenger", StringComparison.OrdinalIgnoreCase))
        {
            return DeviceKind.WeChat;
        }

        return ua.Contains("Mobile", StringComparison.Ordinal) || ua.Contains("Android", StringComparison.Ordinal) || ua.Contains("iPhone", StringComparison.Ordinal)
            ? DeviceKind.Phone
            : DeviceKind.Desktop;
    }
}
