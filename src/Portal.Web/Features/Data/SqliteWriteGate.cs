namespace Portal.Web.Features.Data;

/// <summary>
/// SQLite has one writer at a time; many concurrent writers spend their time in the busy handler's sleeps. Hot write
/// paths (the token refresher) queue here instead, which is much faster on SQLite. With a server database it is off.
/// </summary>
public sealed class SqliteWriteGate(bool enabled)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<T> RunAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken)
    {
        if (!enabled)
        {
            return await write();
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await write();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The same gate for a caller on a thread of its own (the group-commit writer) that blocks while it waits.</summary>
    public void Run(Action write)
    {
        if (!enabled)
        {
            write();
            return;
        }

        _gate.Wait();
        try
        {
            write();
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task RunAsync(Func<Task> write, CancellationToken cancellationToken)
        => RunAsync(async () =>
        {
            await write();
            return true;
        }, cancellationToken);
}
