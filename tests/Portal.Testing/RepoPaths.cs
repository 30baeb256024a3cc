namespace Portal.Testing;

public static class RepoPaths
{
    /// <summary>The repository root: the folder holding Portal.sln.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Where tests keep artefacts such as screenshots (ignored by git).</summary>
    public static string Artifacts(string kind)
    {
        var path = Path.Combine(Root, "artifacts", kind);
        Directory.CreateDirectory(path);
        return path;
    }
}
