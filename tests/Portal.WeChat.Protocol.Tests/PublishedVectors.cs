namespace Portal.WeChat.Protocol.Tests;

/// <summary>
/// The verified vectors of reference §1.3 (V1–V7), copied as data from the sources it cites
/// (Senparc 2016 tests, the official WXBizMsgCrypt sample via SKIT, WxJava, wechatpy, EasyWeChat).
/// </summary>
public sealed record CryptoVector(
    string Name,
    string Token,
    string EncodingAesKey,
    string AppId,
    string Timestamp,
    string Nonce,
    string? Signature,
    string MsgSignature,
    string Encrypt,
    string? Plaintext,
    string? Random16);

public static class PublishedVectors
{
    public const string V1Plaintext = "<xml><AppId><![CDATA[wxbbd3f07e2945cf2a]]></AppId>\n<CreateTime>1436881222</CreateTime>\n<InfoType><![CDATA[component_verify_ticket]]></InfoType>\n<ComponentVerifyTicket><![CDATA[ticket@@@hXh2446N-P9OOZqW4EeuPO9zFXEnAz5Vzc0JaWczBkIqcw2javRF0C_VVdwVYrEwyw1xHOiui7gB0WqKaYPMUQ]]></ComponentVerifyTicket>\n</xml>";

    public static readonly CryptoVector V1 = new(
        "V1 component_verify_ticket",
        "senparc", "0123456789012345678901234567890123456789012", "wxbbd3f07e2945cf2a",
        "1436881222", "296318614",
        "60d1ddec039f51cc8c7ee4ea9ae9a479dd7c7d01",
        "066523677e42a15c64a725ba0058cd7651174624",
        "/RWeOUN4J839ynYH960Duj2k0WwvSfwq2dBFQ1NG78v9CZKbiCk5F8Fq/RGV0oFALoy+2L7KDe+1EbitZK7T4KtHMxntcEeQDxhWGdbeyTYJStcl7pudKA/ltfPP2nDbMrvmdl6JAX/XY4El0XEaYMrxegU3B1aUMZJ1GDjz9pIFv5+DPWj2mf7mhwIKcJSfeMctifS5UyJHKmIM+gnPQjtcKsVdnjaLckEScUsKKTygeG9IOtWFfE720W6g5UfOg3yxPFCUrqjWKRTue7g0yT0vQyb0L5cODKh1bCjIRcgikJsRVo3tAX1QO/CrHzKEEDqaD3Rx1hRkvRl/2KQlFd/DkhOzWp1LmpsCZQiNj0Fdc41aVleaFrwUQ8svg9Wt2iJLDhdqlz1Us2Pb6Ayx3dJLhXtb4ynJGsPFq0N8RrCuLgU391BpAiga5JBcjzS50pfvBBEEPQDyAE7znPphrA==",
        V1Plaintext,
        "975d750afe6d0afe");

    public static readonly CryptoVector V2 = new(
        "V2 unauthorized",
        "senparc", "0123456789012345678901234567890123456789012", "wxbbd3f07e2945cf2a",
        "1436876197", "1879066412",
        "6cd59ed9ca88d3993475bd4960052c5e5204391e",
        "346f1ed0ed84e80342072f2b88e2f4f018b8c79d",
        "7d7R2gPF37VXWzQoveo4Ts2xG4iuOS3gwJ3kbc56PBL40BY6uHNjvlBrvaw3LqS4Th3Z93DIOjs7Yhlv8YW72oh1ARDuR0aXUTySTXQ8CWJWVz7VNWruFT25hfGBOnPlNW1GJyV5l8LLoIIasaiWJbteqEfgCW7ehwL8F7kTNClFaiFrS7AzlK6DMR4gMBdL0b0mfpfp8bfEkPmEcy/ARQiQBTwXz/NhxBvHTFGtKIv3VYR+ZztzoV1wVc/nXBg/FhvW7fzQRsqbCBZ2gegRwfz5j10HPB5rfjaZjO4fvEsx8V2/rTICtcUxkMV1GO5cgbasw/FEIDCH2NAUl/ht0w==",
        "<xml><AppId><![CDATA[wxbbd3f07e2945cf2a]]></AppId>\n<CreateTime>1436876196</CreateTime>\n<InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[wx570bc396a51b8ff8]]></AuthorizerAppid></xml>",
        null);

    public static readonly CryptoVector V3 = new(
        "V3 official account text message",
        "weixin", "mNnY5GekpChwqhy2c4NBH90g3hND6GeI4gii2YCvKLY", "wx669ef95216eef885",
        "1414387151", "917222494",
        "e3203b6433eb554dd2fcba78fa48cb948fcb4801",
        "ae70d4e343d946fc0477a5c760b95be0947fddbb",
        "2gUBUpAeuPFKBS+gkcvrR1cBq1VjTOQluB7+FQF00VnybRpYR3xko4S4wh0qD+64cWmJfF93ZNLm+HLZBexjHLAdJBs5RBG2rP1AJnU0/1vQU/Ac9Q1Nq7vfC4l3ciF8YwhQW0o/GE4MYWWakgdwnp0hQ7aVVwqMLd67A5bsURQHJiFY/cH0fVlsKe6J3aazGhRXFCxceOq2VTJ2Eulc8aBDVSM5/lAIUA/JPq5Z2RzomM0+aoa5XIfGyAtAdlBXD0ADTemxgfYAKI5EMfKtH5za3dKV2UWbGAlJQZ0fwrwPx6Rs8MsoEtyxeQ52gO94gafA+/kIVjamKTVLSgudLLz5rAdGneKkBVhXyfyfousm1DoDRjQdAdqMWpwbeG5hanoJyJiH+humW/1q8PAAiaEfA+BOuvBk/a5xL0Q2l2k=",
        "<xml><ToUserName><![CDATA[gh_a96a4a619366]]></ToUserName>\n<FromUserName><![CDATA[olPjZjsXuQPJoV0HlruZkNzKc91E]]></FromUserName>\n<CreateTime>1414387151</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[你好]]></Content>\n<MsgId>6074746557628292943</MsgId>\n</xml>",
        null);

    public static readonly CryptoVector V4 = new(
        "V4 official WXBizMsgCrypt sample",
        "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7",
        "1409659813", "1372623149",
        null,
        "477715d11cdb4164915debcba66cb864d751f3e6",
        "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==",
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>",
        null);

    /// <summary>V5 (WxJava WxCryptUtilTest): deterministic encryption with a known random prefix.
    /// Its msg_signature for timestamp 1409304348 and nonce xxxxxx was computed by the reference's author.</summary>
    public static readonly CryptoVector V5 = new(
        "V5 WxJava deterministic encryption",
        "pamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxb11529c136998cb6",
        "1409304348", "xxxxxx",
        null,
        "82c962d39941aa48552f90ef55aa323dc620cc10",
        "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==",
        "我是中文abcd123",
        "aaaabbbbccccdddd");

    /// <summary>V6 (wechatpy tests/test_crypto.py), the decrypt case.</summary>
    public static readonly CryptoVector V6Decrypt = new(
        "V6 wechatpy decrypt",
        "123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a",
        "1411525903", "461056294",
        null,
        "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
        "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=",
        null,
        null);

    /// <summary>V6 (wechatpy), the encrypt case: a reply encrypted with random prefix 1234567890123456.</summary>
    public static readonly CryptoVector V6Encrypt = new(
        "V6 wechatpy encrypt",
        "123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a",
        "1411525903", "461056294",
        null,
        "407518b7649e86ef23978113f92d27afa9296533",
        "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3",
        "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>",
        "1234567890123456");

    /// <summary>V7 (EasyWeChat tests/Kernel/EncryptorTest.php).</summary>
    public static readonly CryptoVector V7 = new(
        "V7 easywechat",
        "pamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxb11529c136998cb6",
        "1458300676", "260774613",
        null,
        "4f3ad57b6989f09f4eb392acce4f9e93942ed890",
        "rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA==",
        null,
        null);

    /// <summary>Every vector whose ciphertext can be decrypted (V5 and V6-encrypt too: they are complete).</summary>
    public static TheoryData<string> DecryptableNames() => new(V1.Name, V2.Name, V3.Name, V4.Name, V5.Name, V6Decrypt.Name, V6Encrypt.Name, V7.Name);

    public static CryptoVector ByName(string name) => new[] { V1, V2, V3, V4, V5, V6Decrypt, V6Encrypt, V7 }.Single(v => v.Name == name);
}
