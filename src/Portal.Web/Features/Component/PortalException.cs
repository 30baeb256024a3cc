namespace Portal.Web.Features.Component;

/// <summary>A failure explained to people in Chinese and English, with a stable code for tests and logs.</summary>
public sealed class PortalException(string code, string messageZh, string messageEn, Exception? inner = null) : Exception(messageEn, inner)
{
    public string Code { get; } = code;

    public string MessageZh { get; } = messageZh;

    public string MessageEn { get; } = messageEn;

    public string Describe(bool english) => english ? MessageEn : MessageZh;
}
