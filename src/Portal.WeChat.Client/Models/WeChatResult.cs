using System.Text.Json.Serialization;

namespace Portal.WeChat.Client.Models;

/// <summary>The <c>{"errcode":0,"errmsg":"ok"}</c> answer of set-style APIs.</summary>
public class WeChatResult
{
    /// <summary>0 on success.</summary>
    [JsonPropertyName("errcode")]
    public int ErrCode { get; init; }

    /// <summary><c>ok</c>, or e.g. <c>in a normal state</c>.</summary>
    [JsonPropertyName("errmsg")]
    public string? ErrMsg { get; init; }
}
