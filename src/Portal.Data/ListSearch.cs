using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>
/// The accounts whose stored search text (<c>Authorizers.SearchText</c>: name, appid and principal, lower case) contains a term,
/// found through an index on both providers instead of reading every account: on SQLite the FTS5 trigram table
/// <c>AuthorizerSearch</c>, on PostgreSQL a pg_trgm GIN index under <c>LIKE '%term%'</c> (both made by the migration
/// ListSearchIndexAndTokenCount). The answer is a query of ids, to be composed into the list's own query (one round-trip).
/// </summary>
public static class ListSearch
{
    /// <summary>
    /// On SQLite, the FTS5 table's name: it and its shadow tables (<c>AuthorizerSearch_data</c>, <c>_idx</c>, <c>_docsize</c>,
    /// <c>_config</c>) are the only tables outside the EF model.
    /// </summary>
    public const string SqliteIndexTable = "AuthorizerSearch";

    /// <summary>On SQLite, the triggers on <c>Authorizers</c> that keep <see cref="SqliteIndexTable"/> in step with it.</summary>
    public static readonly IReadOnlyList<string> SqliteTriggers = ["Authorizers_SearchIndex_Insert", "Authorizers_SearchIndex_Update", "Authorizers_SearchIndex_Delete"];

    /// <summary>On PostgreSQL, the trigram GIN index on <c>Authorizers.SearchText</c>.</summary>
    public const string PostgreSqlIndex = "IX_Authorizers_SearchText_Trigram";

    /// <summary>The ids of the accounts whose search text contains <paramref name="term"/> (already trimmed and in lower case).</summary>
    public static IQueryable<int> AuthorizerIds(PortalDbContext db, string term)
    {
        if (db.Database.IsSqlite())
        {
            // A trigram index knows strings of three characters or more; a shorter term reads the column (it matches many rows anyway).
            if (term.EnumerateRunes().Count() < 3)
            {
                return db.Authorizers.Where(a => a.SearchText!.Contains(term)).Select(a => a.Id);
            }

            // One FTS5 phrase: the term's trigrams at consecutive positions, i.e. the term as a substring (case folded). Inside the
            // quotes every character is literal except the quote itself, which is doubled; the phrase is a parameter.
            var phrase = "\"" + term.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            return db.Database.SqlQuery<int>($"""SELECT rowid AS "Value" FROM "AuthorizerSearch" WHERE "AuthorizerSearch" MATCH {phrase}""");
        }

        var pattern = "%" + EscapeLike(term) + "%";
        return db.Authorizers.Where(a => EF.Functions.Like(a.SearchText!, pattern, "\\")).Select(a => a.Id);
    }

    /// <summary>The term with LIKE's wildcards and the escape character itself made literal (escape character: backslash).</summary>
    public static string EscapeLike(string term)
    {
        var builder = new StringBuilder(term.Length + 4);
        foreach (var c in term)
        {
            if (c is '%' or '_' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
