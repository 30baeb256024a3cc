using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Features.Data;

/// <summary>
/// Named, expiring leases in the database (the <c>Leases</c> table): the cross-instance single-flight. Taking one is one
/// conditional UPDATE of an expired row or one INSERT guarded by the primary key, so of any number of instances at most
/// one holds a name at a time. A lease of a process that died expires after its duration (ADR-011).
/// </summary>
public sealed class LeaseStore(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    /// <summary>Takes the lease on <paramref name="name"/> for <paramref name="duration"/>; the holder's token, or null when someone holds it.</summary>
    public async Task<string?> TryAcquireAsync(string name, TimeSpan duration, CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid().ToString("N");
        var now = time.GetUtcNow();
        var until = now + duration;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Leases.Where(l => l.Name == name && l.ExpiresAt <= now)
                .ExecuteUpdateAsync(u => u.SetProperty(l => l.Owner, owner).SetProperty(l => l.ExpiresAt, until), cancellationToken) == 1)
        {
            return owner;
        }

        if (await db.Leases.AnyAsync(l => l.Name == name, cancellationToken))
        {
            return null;
        }

        try
        {
            db.Leases.Add(new Lease { Name = name, Owner = owner, ExpiresAt = until });
            await db.SaveChangesAsync(cancellationToken);
            return owner;
        }
        catch (DbUpdateException)
        {
            return null;
        }
    }

    /// <summary>Extends a lease its holder still holds; false when it was lost (expired and taken by someone else).</summary>
    public async Task<bool> RenewAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + duration;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Leases.Where(l => l.Name == name && l.Owner == owner).ExecuteUpdateAsync(u => u.SetProperty(l => l.ExpiresAt, until), cancellationToken) == 1;
    }

    /// <summary>Gives back a lease whose name only this process uses (its instance lease), whoever's token it carries.</summary>
    public async Task ReleaseOwnedAsync(string name)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.Leases.Where(l => l.Name == name).ExecuteDeleteAsync();
    }

    /// <summary>Gives the lease back (only its holder can); others may take it at once.</summary>
    public async Task ReleaseAsync(string name, string owner)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.Leases.Where(l => l.Name == name && l.Owner == owner).ExecuteDeleteAsync();
    }

    /// <summary>
    /// Runs <paramref name="work"/> under the lease, or, while another instance holds it, waits until
    /// <paramref name="done"/> finds the result of that instance's work (or the lease expires and this caller takes it).
    /// </summary>
    public async Task<T> RunOnceAsync<T>(string name, TimeSpan duration, Func<CancellationToken, Task<T?>> done, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        where T : class
    {
        var delay = TimeSpan.FromMilliseconds(25);
        while (true)
        {
            if (await done(cancellationToken) is { } result)
            {
                return result;
            }

            if (await TryAcquireAsync(name, duration, cancellationToken) is { } owner)
            {
                try
                {
                    return await done(cancellationToken) ?? await work(cancellationToken);
                }
                finally
                {
                    await ReleaseAsync(name, owner);
                }
            }

            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(500, delay.TotalMilliseconds * 2));
        }
    }
}
