using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Portal.Data.Entities;

namespace Portal.Data;

/// <summary>The portal's database: shops, authorizers and their tokens, bindings, invites, the inbox, audit and Identity.</summary>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options) : IdentityDbContext<PortalUser>(options)
{
    public DbSet<Shop> Shops => Set<Shop>();
    public DbSet<Authorizer> Authorizers => Set<Authorizer>();
    public DbSet<AuthorizerPermission> AuthorizerPermissions => Set<AuthorizerPermission>();
    public DbSet<AuthorizerToken> AuthorizerTokens => Set<AuthorizerToken>();
    public DbSet<Binding> Bindings => Set<Binding>();
    public DbSet<BindingEvent> BindingEvents => Set<BindingEvent>();
    public DbSet<Invite> Invites => Set<Invite>();
    public DbSet<InviteAttempt> InviteAttempts => Set<InviteAttempt>();
    public DbSet<ComponentCredential> ComponentCredentials => Set<ComponentCredential>();
    public DbSet<InboxMessage> Inbox => Set<InboxMessage>();
    public DbSet<ReplayGuardEntry> ReplayGuard => Set<ReplayGuardEntry>();
    public DbSet<ExchangedAuthCode> ExchangedAuthCodes => Set<ExchangedAuthCode>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<OperatorShop> OperatorShops => Set<OperatorShop>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<JobRun> JobRuns => Set<JobRun>();
    public DbSet<JobPause> JobPauses => Set<JobPause>();
    public DbSet<ApiPause> ApiPauses => Set<ApiPause>();
    public DbSet<AccountMessageRecord> AccountMessages => Set<AccountMessageRecord>();
    public DbSet<ReleaseTestRecord> ReleaseTestRecords => Set<ReleaseTestRecord>();
    public DbSet<Lease> Leases => Set<Lease>();
    public DbSet<DataProtectionKeyRecord> DataProtectionKeys => Set<DataProtectionKeyRecord>();

    private static readonly JsonSerializerOptions OutcomeJson = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset; UTC ticks keep both working (and sort correctly).
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Shop>(e =>
        {
            e.Property(s => s.Name).HasMaxLength(200);
            e.Property(s => s.City).HasMaxLength(100);
            e.HasIndex(s => s.Name);
            // The store list sorts by each of these (issue 14, large lists): an index per sort key, so a page is an index walk.
            e.HasIndex(s => s.City);
            // Generated and stored by the database (same SQL on SQLite and PostgreSQL): lower() there folds ASCII on SQLite and
            // all of Unicode on PostgreSQL; Chinese has no case. A substring search cannot use a B-tree, so the point is a
            // cheap scan: one stored column instead of lower() over several columns per row (about 4× less CPU at 100,000 rows).
            e.Property(s => s.SearchText).HasMaxLength(320).HasComputedColumnSql(SearchTextSql("\"Name\"", "\"City\""), stored: true);
            e.HasOne(s => s.Binding).WithOne(b => b.Shop).HasForeignKey<Binding>(b => b.ShopId);
        });

        builder.Entity<Authorizer>(e =>
        {
            e.Property(a => a.AppId).HasMaxLength(32);
            e.HasIndex(a => a.AppId).IsUnique();
            e.Property(a => a.NickName).HasMaxLength(200);
            e.Property(a => a.UserName).HasMaxLength(64);
            // The authorizer list, the matrix (kind, then name) and token health sort by these.
            e.HasIndex(a => a.NickName);
            e.HasIndex(a => new { a.Kind, a.NickName });
            e.HasIndex(a => a.PrincipalName);
            e.HasIndex(a => a.AccountStatus);
            // Token health counts the authorized accounts' tokens as all tokens less those of accounts no longer authorized
            // (revoking deletes an account's token, so these are few): this partial index finds them without reading the table.
            // On SQLite, triggers keep the trigram index of the search column (the FTS5 table AuthorizerSearch, made by the
            // migration ListSearchIndexAndTokenCount) in step; EF's advice for tables with AFTER triggers is to save without RETURNING.
            e.ToTable(t => t.UseSqlReturningClause(false));
            e.HasIndex(a => a.IsAuthorized).HasFilter("NOT \"IsAuthorized\"").HasDatabaseName("IX_Authorizers_NotAuthorized");
            e.Property(a => a.SearchText).HasMaxLength(500).HasComputedColumnSql(SearchTextSql("\"NickName\"", "\"AppId\"", "\"PrincipalName\""), stored: true);
            e.HasMany(a => a.Permissions).WithOne().HasForeignKey(p => p.AuthorizerId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(a => a.Token).WithOne(t => t.Authorizer).HasForeignKey<AuthorizerToken>(t => t.AuthorizerId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<AuthorizerPermission>(e => e.HasKey(p => new { p.AuthorizerId, p.SetId }));

        builder.Entity<AuthorizerToken>(e =>
        {
            e.HasKey(t => t.AuthorizerId);
            e.Property(t => t.Version).IsConcurrencyToken();
            e.HasIndex(t => t.AccessTokenExpiresAt);
            e.HasIndex(t => t.NextAttemptAt);
            e.HasIndex(t => t.RefreshDueAt);
            e.Property(t => t.LastFailureApi).HasMaxLength(64);
            e.Property(t => t.LastFailureCode).HasMaxLength(64);
            e.HasIndex(t => t.LastRefreshedAt);
            e.HasIndex(t => t.ConsecutiveFailures);
        });

        builder.Entity<Binding>(e =>
        {
            e.HasIndex(b => b.ShopId).IsUnique();
            e.HasIndex(b => b.AuthorizerId);
            e.HasIndex(b => b.State);
            e.HasIndex(b => b.UpdatedAt);
            e.Property(b => b.Version).IsConcurrencyToken();
            e.HasOne(b => b.Authorizer).WithMany().HasForeignKey(b => b.AuthorizerId).OnDelete(DeleteBehavior.SetNull);
        });

        builder.Entity<BindingEvent>(e =>
        {
            e.HasIndex(b => new { b.ShopId, b.At });
            e.Property(b => b.Reason).HasMaxLength(400);
        });

        builder.Entity<Invite>(e =>
        {
            e.HasIndex(i => i.ShopId);
            e.HasIndex(i => i.TokenHash).IsUnique();
            e.Property(i => i.TokenHash).HasMaxLength(64);
            e.HasMany(i => i.Attempts).WithOne(a => a.Invite).HasForeignKey(a => a.InviteId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(i => i.Shop).WithMany().HasForeignKey(i => i.ShopId);
        });

        builder.Entity<InviteAttempt>(e =>
        {
            e.HasIndex(a => a.PreAuthCodeHash).IsUnique();
            e.HasIndex(a => a.TokenHash).IsUnique();
            e.Property(a => a.PreAuthCodeHash).HasMaxLength(64);
            e.Property(a => a.TokenHash).HasMaxLength(64);
            e.Property(a => a.AuthCodeHash).HasMaxLength(64);
        });

        builder.Entity<ComponentCredential>(e =>
        {
            e.Property(c => c.Id).ValueGeneratedNever();
            e.Property(c => c.Version).IsConcurrencyToken();
        });

        builder.Entity<InboxMessage>(e =>
        {
            e.HasIndex(m => m.DedupeKey).IsUnique();
            e.HasIndex(m => new { m.Status, m.NextAttemptAt });
            e.HasIndex(m => m.ReceivedAt);
            e.Property(m => m.LastFailureApi).HasMaxLength(64);
            e.Property(m => m.LastFailureCode).HasMaxLength(64);
        });

        builder.Entity<ReplayGuardEntry>(e =>
        {
            e.HasKey(r => r.Key);
            e.HasIndex(r => r.SeenAt);
        });

        builder.Entity<ExchangedAuthCode>(e => e.HasKey(c => c.CodeHash));

        builder.Entity<AuditEntry>(e =>
        {
            e.HasIndex(a => a.At);
            e.Property(a => a.Action).HasMaxLength(100);
        });

        builder.Entity<Alert>(e =>
        {
            e.HasIndex(a => a.At);
            e.HasIndex(a => new { a.Code, a.Target, a.At });
        });

        builder.Entity<ApiKey>(e =>
        {
            e.HasIndex(k => k.KeyHash).IsUnique();
            e.Ignore(k => k.ListedAppIds);
            e.Property(k => k.AuthorizerAppIds).HasMaxLength(4000);
        });

        builder.Entity<JobRun>(e =>
        {
            e.HasIndex(r => new { r.JobName, r.StartedAt });
            e.HasIndex(r => r.Status);
            e.HasIndex(r => r.ExternalId);
            e.Property(r => r.JobName).HasMaxLength(64);
            e.Property(r => r.Target).HasMaxLength(64);
            e.Property(r => r.Trigger).HasMaxLength(128);
            e.Property(r => r.OutcomeArgs).HasMaxLength(2000).HasConversion(
                a => JsonSerializer.Serialize(a, OutcomeJson),
                s => JsonSerializer.Deserialize<JobOutcomeArgs>(s, OutcomeJson));
        });

        builder.Entity<JobPause>(e => e.HasKey(p => p.JobName));

        builder.Entity<ApiPause>(e => e.HasKey(p => p.Api));

        builder.Entity<AccountMessageRecord>(e =>
        {
            e.Property(m => m.AuthorizerAppId).HasMaxLength(32);
            e.Property(m => m.DedupeKey).HasMaxLength(200);
            // Dedupe key first: a message's key is its MsgId, which grows with time, so each insert lands at the end of this
            // index rather than on a random page of one of 10,000 accounts (one random page write less per message).
            e.HasIndex(m => new { m.DedupeKey, m.AuthorizerAppId }).IsUnique();
            e.HasIndex(m => new { m.AuthorizerAppId, m.ReceivedAt });
            e.HasIndex(m => m.ReceivedAt);
        });

        builder.Entity<ReleaseTestRecord>(e =>
        {
            e.HasIndex(r => r.At);
            e.Property(r => r.FailureApi).HasMaxLength(64);
            e.Property(r => r.FailureCode).HasMaxLength(64);
        });

        builder.Entity<Lease>(e =>
        {
            e.HasKey(l => l.Name);
            e.Property(l => l.Name).HasMaxLength(200);
            e.Property(l => l.Owner).HasMaxLength(64);
        });

        builder.Entity<DataProtectionKeyRecord>(e => e.Property(k => k.FriendlyName).HasMaxLength(200));

        builder.Entity<OperatorShop>(e =>
        {
            e.HasKey(o => new { o.UserId, o.ShopId });
            e.HasOne<PortalUser>().WithMany(u => u.Shops).HasForeignKey(o => o.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Shop>().WithMany().HasForeignKey(o => o.ShopId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    /// <summary>Bumps the version of every changed row that has one, so a concurrent writer with the old version loses.</summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        BumpVersions();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        BumpVersions();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void BumpVersions()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State == EntityState.Modified && entry.Metadata.FindProperty("Version") is { } property && property.ClrType == typeof(long))
            {
                var version = entry.Property("Version");
                version.CurrentValue = (long)version.OriginalValue! + 1;
            }
        }
    }

    /// <summary>The search column's SQL, the same on both providers: the lower-cased columns joined by a space (a missing one as empty).</summary>
    private static string SearchTextSql(params string[] columns)
        => "lower(" + string.Join(" || ' ' || ", columns.Select(c => $"coalesce({c}, '')")) + ")";

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
}
