using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Client;
using Portal.WeChat.Client.Models;
using Portal.WeChat.Protocol.Errors;
using Portal.WeChat.Protocol.Release;
using Portal.Web.Features.Component;

namespace Portal.Web.Features.Messages;

/// <summary>A <c>QUERY_AUTH_CODE:</c> message of the release test waiting for its customer-service answer.</summary>
public sealed record ReleaseTestApiReply(int Group, string AppId, string OpenId, string AuthCode);

/// <summary>
/// The customer-service half of the release test (reference §7, case 3), off the request path (the message was
/// answered with an empty string at once): api_query_auth on the code for the test account's token, then
/// message/custom/send with <c>&lt;code&gt;_from_api</c>. The test account's tokens are used once and not stored —
/// WeChat's test accounts are not merchants. Each outcome is recorded for the readiness page.
/// </summary>
public sealed partial class ReleaseTestResponder(
    IServiceScopeFactory scopes,
    IDbContextFactory<PortalDbContext> dbFactory,
    TimeProvider time,
    ILogger<ReleaseTestResponder> logger) : BackgroundService
{
    private readonly Channel<ReleaseTestApiReply> _queue = Channel.CreateBounded<ReleaseTestApiReply>(new BoundedChannelOptions(100) { FullMode = BoundedChannelFullMode.DropOldest });

    public void Enqueue(ReleaseTestApiReply reply) => _queue.Writer.TryWrite(reply);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var item in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            bool succeeded;
            StoredFailure? failure = null;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var component = scope.ServiceProvider.GetRequiredService<ComponentTokenService>();
                var client = scope.ServiceProvider.GetRequiredService<ComponentApiClient>();
                var auth = await component.CallAsync((token, ct) => client.QueryAuthorizationAsync(new QueryAuthorizationRequest(token, item.AuthCode), ct), stoppingToken);
                var accessToken = auth.AuthorizationInfo.AuthorizerAccessToken
                    ?? throw new WeChatApiException("api_query_auth", WeChatErrorCodes.DataFormatError, "no authorizer_access_token in the answer");
                var content = item.AuthCode + ReleaseTest.ApiReplySuffix;
                await client.SendCustomMessageAsync(new SendCustomMessageRequest(accessToken, item.OpenId, content), stoppingToken);
                succeeded = true;
            }
            catch (WeChatApiException ex)
            {
                succeeded = false;
                failure = StoredFailure.WeChat(ex.Api, ex.ErrorCode);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                succeeded = false;
                failure = new StoredFailure(FailureKind.Unexpected, Code: ex.GetType().Name);
            }

            LogAnswered(logger, item.AppId, succeeded);
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
                var record = new ReleaseTestRecord { Group = item.Group, AuthorizerAppId = item.AppId, Case = "api", At = time.GetUtcNow(), Succeeded = succeeded };
                record.RecordFailure(failure);
                db.ReleaseTestRecords.Add(record);
                await db.SaveChangesAsync(stoppingToken);
            }
            catch (DbUpdateException ex)
            {
                LogRecordFailed(logger, ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 5211, Level = LogLevel.Information, Message = "Release-test customer-service answer for {AppId}: succeeded {Succeeded}")]
    private static partial void LogAnswered(ILogger logger, string appId, bool succeeded);

    [LoggerMessage(EventId = 5212, Level = LogLevel.Warning, Message = "Could not record a release-test outcome: {Error}")]
    private static partial void LogRecordFailed(ILogger logger, string error);
}
