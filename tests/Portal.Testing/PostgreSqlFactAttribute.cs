namespace Portal.Testing;

/// <summary>A test that needs a PostgreSQL server: skipped (visibly) when <c>PORTAL_TEST_PG</c> is not set; test.sh always sets it.</summary>
public sealed class PostgreSqlFactAttribute : Xunit.FactAttribute
{
    public PostgreSqlFactAttribute()
    {
        if (TestDatabase.Server is null)
        {
            Skip = "needs PostgreSQL: PORTAL_TEST_PG is not set (test.sh starts a private cluster and sets it)";
        }
    }
}

/// <summary>A theory that needs a PostgreSQL server (see <see cref="PostgreSqlFactAttribute"/>).</summary>
public sealed class PostgreSqlTheoryAttribute : Xunit.TheoryAttribute
{
    public PostgreSqlTheoryAttribute()
    {
        if (TestDatabase.Server is null)
        {
            Skip = "needs PostgreSQL: PORTAL_TEST_PG is not set (test.sh starts a private cluster and sets it)";
        }
    }
}
