using System.Net;
using System.Text;
using Portal.Testing;

namespace Portal.Web.Tests;

/// <summary>Hole 5: no request from outside, however malformed, is answered with a 5xx.</summary>
public sealed class OutsideInputTests(DefaultPortalFactory factory) : IClassFixture<DefaultPortalFactory>
{
    public static TheoryData<string, string, string?> Requests => new()
    {
        { "GET", "/culture/en?returnUrl=/%5Cevil.com", null },
        { "GET", "/culture/en?returnUrl=" + new string('a', 10_000), null },
        { "GET", "/culture/%E4%B8%AD%20x", null },
        { "GET", "/onboarding/launch?invite=garbage", null },
        { "GET", "/onboarding/launch?invite=" + new string('x', 5000), null },
        { "GET", "/onboarding/launch", null },
        { "GET", "/onboarding/callback?invite=garbage&auth_code=queryauthcode@@@x", null },
        { "GET", "/onboarding/callback?auth_code=x", null },
        { "GET", "/onboarding/callback?invite=&auth_code=&expires_in=abc", null },
        { "GET", "/account/login?ReturnUrl=/%5Cevil.com", null },
        { "POST", "/account/login", "_handler=login&Input.UserName=a&Input.Password=b" },
        { "POST", "/account/login", "_handler=nope" },
        { "POST", "/account/logout", "" },
        { "GET", "/api/v1/component/access-token", null },
        { "GET", "/api/v1/authorizers/%20/access-token", null },
        { "GET", "/api/v1/authorizers/" + new string('w', 3000) + "/access-token", null },
        { "GET", "/authorizers/%27%3Cscript%3E", null },
        { "GET", "/admin/authorizers.csv?state=NotAState&kind=-1&missing=maybe", null },
        { "POST", "/wechat/component/events?timestamp=99999999999999&nonce=1&encrypt_type=aes&signature=x&msg_signature=y", "<xml/>" },
        { "POST", "/wechat/accounts/wx1234567890abcdef/events?timestamp=99999999999999&nonce=1&encrypt_type=aes", "<xml/>" },
        { "POST", "/wechat/accounts/%E4%B8%AD/events", "<xml/>" },
        { "GET", "/_emulator/mp/cgi-bin/componentloginpage?component_appid=&pre_auth_code=&redirect_uri=%%%", null },
        { "POST", "/_emulator/mp/cgi-bin/componentloginpage/confirm", "session=zz" },
        { "POST", "/_emulator/api/cgi-bin/component/api_component_token", "{not json" },
        { "GET", "/_emulator/admin/api/state", null },
        { "GET", "/_framework/blazor.web.js?x=%ff", null },
        { "GET", "/no/such/page?x=<script>", null },
        { "POST", "/_blazor/negotiate?negotiateVersion=1", "" },
        { "POST", "/_blazor/disconnect", "circuitId=%%" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Anonymous_OutsideInput_NeverGets5xx(string method, string path, string? form)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (form is not null)
        {
            request.Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        }

        var response = await factory.NewClient().SendAsync(request);
        Assert.True((int)response.StatusCode < 500, $"{method} {path} answered {(int)response.StatusCode}");
    }
}
