namespace Portal.WeChat.Protocol.Crypto;

/// <summary>The reason codes of WeChat's official WXBizMsgCrypt sample (reference §1.1).</summary>
public enum WeChatCryptoErrorCode
{
    /// <summary>-40001: the signature does not match.</summary>
    ValidateSignatureError = -40001,
    /// <summary>-40002: the XML could not be parsed.</summary>
    ParseXmlError = -40002,
    /// <summary>-40003: the signature could not be computed.</summary>
    ComputeSignatureError = -40003,
    /// <summary>-40004: the EncodingAESKey is not valid.</summary>
    IllegalAesKey = -40004,
    /// <summary>-40005: the appid at the end of the plaintext is not the expected one.</summary>
    ValidateAppIdError = -40005,
    /// <summary>-40006: AES encryption failed.</summary>
    EncryptAesError = -40006,
    /// <summary>-40007: AES decryption failed.</summary>
    DecryptAesError = -40007,
    /// <summary>-40008: the decrypted buffer is malformed (padding, length field, size).</summary>
    IllegalBuffer = -40008,
    /// <summary>-40009: base64 encoding failed.</summary>
    EncodeBase64Error = -40009,
    /// <summary>-40010: base64 decoding failed.</summary>
    DecodeBase64Error = -40010,
    /// <summary>-40011: the reply XML could not be built.</summary>
    GenReturnXmlError = -40011,
}
