using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Portal.Web.Features.Ingestion;

public static class IngestionExtensions
{
    /// <summary>The group-commit writer both push URLs hand their items to (one per process); safe to call more than once.</summary>
    public static IHostApplicationBuilder AddPortalIngestion(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(GroupCommitWriter)))
        {
            return builder;
        }

        builder.Services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestionOptions>, IngestionOptionsValidator>());
        builder.Services.AddSingleton<GroupCommitWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GroupCommitWriter>());
        return builder;
    }
}
