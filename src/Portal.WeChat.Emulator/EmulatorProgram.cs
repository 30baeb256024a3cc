using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.WeChat.Emulator;

/// <summary>
/// Runs the emulator on its own:
/// <c>dotnet run --project src/Portal.WeChat.Emulator -- --urls http://127.0.0.1:PORT --Emulator:ComponentAppSecret=… --Emulator:Token=… --Emulator:EncodingAesKey=… --Emulator:EventUrl=…</c>
/// (or the same keys as environment variables <c>Emulator__…</c>). Paths are WeChat's, at the root.
/// </summary>
public static class EmulatorProgram
{
    public static void Main(string[] args) => Build(args).Run();

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddWeChatEmulator().BindConfiguration(EmulatorOptions.SectionName).ValidateOnStart();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapWeChatEmulator();
        app.MapGet("/", () => Results.Redirect("/admin"));
        app.MapGet("/healthz", () => Results.Text("Healthy"));
        return app;
    }
}
