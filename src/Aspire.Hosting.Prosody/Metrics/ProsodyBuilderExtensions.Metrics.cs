namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Turns Prosody's statistics and its OpenMetrics endpoint (<c>/metrics</c> on the <c>http</c> endpoint) on or
    /// off. On by default in run mode, where the AppHost forwards the metrics to the dashboard under this resource;
    /// off by default in publish mode.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="enabled">Whether to collect and serve metrics.</param>
    /// <param name="allowedNetwork">The one network (CIDR) whose addresses may read <c>/metrics</c>, such as your
    /// Prometheus's network <c>10.0.0.0/8</c>; loopback always may. In run mode the default admits every address,
    /// since the port is published on loopback only. A network of every address is refused in publish mode.</param>
    /// <returns>The resource builder.</returns>
    /// <example>
    /// <code lang="csharp">
    /// builder.AddProsody("chat").WithMetrics(allowedNetwork: "10.42.0.0/16");
    /// </code>
    /// </example>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithMetrics(this IResourceBuilder<ProsodyResource> builder, bool enabled = true, string? allowedNetwork = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (allowedNetwork is not null)
        {
            ProsodyValidation.Network(allowedNetwork, nameof(allowedNetwork));
            if (!ProsodyConfiguration.AllowsMetricsFromEveryAddress(builder.Resource) && allowedNetwork.EndsWith("/0", StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"'{allowedNetwork}' would let every address read Prosody's metrics in a deployment. Give the network of your Prometheus, such as '10.0.0.0/8'.",
                    nameof(allowedNetwork));
            }
        }

        builder.Resource.Settings.Metrics = enabled;
        builder.Resource.Settings.MetricsAllowedNetwork = allowedNetwork;
        return builder;
    }

    /// <summary>The scrape target, for people who run their own Prometheus; diagnostics stay in the details.</summary>
    private static IResourceBuilder<ProsodyResource> WithMetricsUrl(this IResourceBuilder<ProsodyResource> builder) =>
        builder.WithUrls(context =>
        {
            var resource = builder.Resource;
            if (resource.MetricsEnabled && resource.HttpEndpoint.IsAllocated)
            {
                context.Urls.Add(new ResourceUrlAnnotation
                {
                    Url = $"{resource.HttpEndpoint.Url}/metrics",
                    DisplayText = "Metrics (OpenMetrics)",
                    Endpoint = resource.HttpEndpoint,
                    DisplayLocation = UrlDisplayLocation.DetailsOnly,
                });
            }
        });
}
