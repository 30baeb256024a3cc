using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.Web.Features.KeepAlive;

namespace Portal.Web.Tests;

public sealed class AlertWebhookTests
{
    [Fact]
    public async Task Alerts_AreStoredOncePerQuietPeriod_AndPostedToTheWebhook()
    {
        var received = new ConcurrentQueue<JsonElement>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var hook = builder.Build();
        hook.MapPost("/hook", async (HttpContext ctx) =>
        {
            received.Enqueue(await JsonSerializer.DeserializeAsync<JsonElement>(ctx.Request.Body));
            return Results.Ok();
        });
        await hook.StartAsync();

        using var portal = new PortalFactory(new Dictionary<string, string?> { ["KeepAlive:AlertWebhookUrl"] = hook.Urls.First() + "/hook" });
        var alerts = portal.Services.GetRequiredService<AlertService>();
        Assert.True(await alerts.RaiseAsync("needs_reauthorization", AlertSeverity.Critical, "wx1a2b3c4d5e6f7001", "lost"));
        Assert.False(await alerts.RaiseAsync("needs_reauthorization", AlertSeverity.Critical, "wx1a2b3c4d5e6f7001", "lost again"));

        var posted = Assert.Single(received);
        Assert.Equal("needs_reauthorization", posted.GetProperty("code").GetString());
        Assert.Equal("Critical", posted.GetProperty("severity").GetString());
        Assert.Equal("wx1a2b3c4d5e6f7001", posted.GetProperty("target").GetString());
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.Alerts.CountAsync());
    }
}
