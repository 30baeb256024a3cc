using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Portal.WeChat.Client.Tests;

/// <summary>The edge of a unit test: answers requests from a queue and records what was sent.</summary>
public sealed class RecordingTransport : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _answers = new();

    public List<(string Method, Uri Uri, string Body)> Requests { get; } = [];

    public RecordingTransport Answer(string json, HttpStatusCode status = HttpStatusCode.OK)
    {
        _answers.Enqueue(() => new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        return this;
    }

    public RecordingTransport Throw(Exception exception)
    {
        _answers.Enqueue(() => throw exception);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add((request.Method.Method, request.RequestUri!, body));
        }

        if (!_answers.TryDequeue(out var next))
        {
            throw new InvalidOperationException("no answer queued");
        }

        return next();
    }
}
