using System.Globalization;

namespace Portal.Benchmarks;

/// <summary>What one measured path reports: its rate and p99, and its floor measured in the same run.</summary>
/// <param name="Path">One of <c>messages</c>, <c>events</c>, <c>token-api</c>, <c>sweep-80ms</c>, <c>lists</c>, <c>pages</c>.</param>
/// <param name="Rate">Operations per second of the real path.</param>
/// <param name="P99Ms">99th percentile latency of one operation, in milliseconds.</param>
/// <param name="FloorRate">The floor's rate (e.g. the no-storage endpoint, the constant answer, concurrency ÷ latency).</param>
/// <param name="Passed">Whether the path met its target (ratio, absolute rate, p99, correctness such as rows counted).</param>
/// <param name="Details">Lines for the human-readable table above the script line.</param>
/// <param name="RunRatio">With several runs, the median of each run's own rate ÷ floor (a floor belongs to its run); by default Rate ÷ FloorRate.</param>
public sealed record BenchResult(string Path, double Rate, double P99Ms, double FloorRate, bool Passed, IReadOnlyList<string> Details, double? RunRatio = null)
{
    public double Ratio => RunRatio ?? (FloorRate <= 0 ? 0 : Rate / FloorRate);

    /// <summary>The one line scripts read: <c>bench &lt;path&gt;: &lt;rate&gt;/s p99 &lt;ms&gt; ms floor &lt;rate&gt;/s ratio &lt;0.00&gt;</c>.</summary>
    public string Line => string.Create(CultureInfo.InvariantCulture,
        $"bench {Path}: {Rate:0}/s p99 {P99Ms:0.0} ms floor {FloorRate:0}/s ratio {Ratio:0.00}");
}

/// <summary>Options shared by every path: <c>--quick</c> (a short run of each), <c>--provider Sqlite|PostgreSql</c>, <c>--runs N</c>.</summary>
public sealed record BenchOptions(bool Quick, string Provider, string? PostgresConnection, int Runs, string[] Args)
{
    public string Arg(string name, string fallback)
    {
        var i = Array.IndexOf(Args, name);
        return i >= 0 && i + 1 < Args.Length ? Args[i + 1] : fallback;
    }
}

/// <summary>
/// The path registry. Each path lives in its own file under <c>Paths/</c> and registers one line here; <c>--quick</c> runs
/// every path (a short version, the whole in under 3 minutes), <c>--path a,b</c> the named ones. Each prints its table lines,
/// then its script line; the process exits 1 when any path missed its target.
/// </summary>
public static class Bench
{
    private static readonly (string Name, Func<BenchOptions, Task<BenchResult>> Run)[] Paths =
    [
        // Registered by each path's file (keep one line per path, in this order): messages, events, token-api, sweep-80ms, lists, pages.
        ("messages", IngestionBench.MessagesAsync),
        ("events", IngestionBench.EventsAsync),
        ("token-api", TokenApiBench.RunAsync),
        ("sweep-80ms", SweepLatencyBench.RunAsync),
        ("lists", ListsBench.RunAsync),
        ("pages", PagesBench.RunAsync),
    ];

    public static bool Wanted(string[] args) => args.Contains("--quick") || args.Contains("--path");

    public static async Task<int> RunAsync(string[] args)
    {
        var provider = ArgOf(args, "--provider", "Sqlite");
        var options = new BenchOptions(
            Quick: args.Contains("--quick"),
            Provider: provider,
            PostgresConnection: provider == "PostgreSql" ? ArgOf(args, "--postgres", Environment.GetEnvironmentVariable("PORTAL_TEST_PG") ?? "") : null,
            Runs: int.Parse(ArgOf(args, "--runs", args.Contains("--quick") ? "1" : "3"), CultureInfo.InvariantCulture),
            Args: args);
        var names = ArgOf(args, "--path", string.Join(',', Paths.Select(p => p.Name))).Split(',', StringSplitOptions.RemoveEmptyEntries);
        var unknown = names.Where(n => Paths.All(p => p.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"unknown path(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Paths.Select(p => p.Name))}");
            return 2;
        }

        var results = new List<BenchResult>();
        foreach (var (name, run) in Paths.Where(p => names.Contains(p.Name)))
        {
            var result = await run(options);
            foreach (var line in result.Details)
            {
                Console.WriteLine(line);
            }

            results.Add(result);
        }

        Console.WriteLine($"provider {provider}");
        foreach (var result in results)
        {
            Console.WriteLine(result.Line + (result.Passed ? "" : " MISSED"));
        }

        return results.All(r => r.Passed) ? 0 : 1;
    }

    private static string ArgOf(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
