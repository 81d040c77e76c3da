using Aspire.Prosody.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers an <see cref="XmppClient"/> for a Prosody server or account that the AppHost references, with a health
/// check, tracing, metrics and logging.
/// </summary>
public static class AspireProsodyClientExtensions
{
    /// <summary>The configuration section the settings are bound from.</summary>
    public const string DefaultConfigSectionName = "Aspire:Prosody:Client";

    /// <summary>
    /// Registers <see cref="XmppClient"/> as a singleton that signs in with the account named by the connection
    /// string <paramref name="connectionName"/>, and connects it in the background when the host starts.
    /// </summary>
    /// <param name="builder">The host application builder.</param>
    /// <param name="connectionName">The connection name, such as the name of an account the AppHost made with
    /// <c>chat.AddAccount("bot")</c> and handed over with <c>WithReference</c>.</param>
    /// <param name="configureSettings">Changes the settings after they are read from configuration.</param>
    /// <param name="configureOptions">Changes the client's options after they are made from the settings.</param>
    /// <remarks>
    /// The settings come from <c>Aspire:Prosody:Client</c>, then <c>Aspire:Prosody:Client:{connectionName}</c>,
    /// then <c>ConnectionStrings:{connectionName}</c>, then <paramref name="configureSettings"/>. Missing connection
    /// information fails when the client is first resolved, with an <see cref="InvalidOperationException"/>.
    /// </remarks>
    /// <example>
    /// <code lang="csharp">
    /// builder.AddProsodyClient("bot");
    /// // …
    /// app.MapPost("/notify", (XmppClient xmpp, string to, string text) => xmpp.SendMessageAsync(Jid.Parse(to), text));
    /// </code>
    /// </example>
    public static void AddProsodyClient(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<ProsodyClientSettings>? configureSettings = null,
        Action<XmppClientOptions>? configureOptions = null) =>
        AddClient(builder, connectionName, serviceKey: null, configureSettings, configureOptions);

    /// <summary>
    /// Registers a keyed <see cref="XmppClient"/> (key <paramref name="name"/>), for an app that talks to more than
    /// one server or account. Resolve it with <c>[FromKeyedServices("name")]</c>.
    /// </summary>
    /// <param name="builder">The host application builder.</param>
    /// <param name="name">The connection name, which is also the service key.</param>
    /// <param name="configureSettings">Changes the settings after they are read from configuration.</param>
    /// <param name="configureOptions">Changes the client's options after they are made from the settings.</param>
    public static void AddKeyedProsodyClient(
        this IHostApplicationBuilder builder,
        string name,
        Action<ProsodyClientSettings>? configureSettings = null,
        Action<XmppClientOptions>? configureOptions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        AddClient(builder, name, serviceKey: name, configureSettings, configureOptions);
    }

    private static void AddClient(
        IHostApplicationBuilder builder,
        string connectionName,
        string? serviceKey,
        Action<ProsodyClientSettings>? configureSettings,
        Action<XmppClientOptions>? configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);

        var (settings, settingsError) = ReadSettings(builder.Configuration, connectionName, configureSettings);

        XmppClient Create(IServiceProvider services)
        {
            // Validated here, not at registration, so that a missing connection string is reported once logging runs.
            if (settingsError is not null)
            {
                throw settingsError;
            }

            var options = ProsodyClientOptionsFactory.Create(settings, connectionName);
            configureOptions?.Invoke(options);
            return new XmppClient(options, services.GetService<ILoggerFactory>(), services.GetService<TimeProvider>() ?? TimeProvider.System);
        }

        // The client as registered: the connector and the health check use the same instance the app gets.
        XmppClient Resolve(IServiceProvider services) =>
            serviceKey is null ? services.GetRequiredService<XmppClient>() : services.GetRequiredKeyedService<XmppClient>(serviceKey);

        if (serviceKey is null)
        {
            builder.Services.AddSingleton(Create);
        }
        else
        {
            builder.Services.AddKeyedSingleton(serviceKey, (services, _) => Create(services));
        }

        if (!settings.DisableAutoConnect)
        {
            builder.Services.AddSingleton<IHostedService>(services => new XmppClientConnector(
                () => Resolve(services),
                connectionName,
                services.GetRequiredService<ILoggerFactory>().CreateLogger(XmppClient.ActivitySourceName)));
        }

        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(XmppClient.ActivitySourceName));
        }

        if (!settings.DisableMetrics)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(XmppClient.ActivitySourceName));
        }

        if (!settings.DisableHealthChecks)
        {
            var checkName = serviceKey is null ? "Prosody.Client" : $"Prosody.Client_{connectionName}";
            // Once per name: calling AddProsodyClient twice for one connection must not register two checks.
            if (builder.Properties.TryAdd($"Aspire.HealthChecks.{checkName}", true))
            {
                builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                    checkName,
                    services => new XmppClientHealthCheck(Resolve(services), settings),
                    failureStatus: default,
                    tags: default));
            }
        }
    }

    private static (ProsodyClientSettings Settings, Exception? Error) ReadSettings(
        IConfiguration configuration, string connectionName, Action<ProsodyClientSettings>? configureSettings)
    {
        var settings = new ProsodyClientSettings();
        configuration.GetSection(DefaultConfigSectionName).Bind(settings);
        configuration.GetSection($"{DefaultConfigSectionName}:{connectionName}").Bind(settings);

        // Aspire's order: configuration, then the connection string, then the delegate. A malformed string is
        // reported when the client is first resolved, like missing connection information.
        Exception? error = null;
        var connectionString = configuration.GetConnectionString(connectionName);
        if (!string.IsNullOrEmpty(connectionString))
        {
            settings.ConnectionString = connectionString;
            error = TryApply(connectionString, settings, $"ConnectionStrings:{connectionName}");
        }

        configureSettings?.Invoke(settings);
        if (!string.IsNullOrEmpty(settings.ConnectionString) && settings.ConnectionString != connectionString)
        {
            error = TryApply(settings.ConnectionString, settings, "ProsodyClientSettings.ConnectionString");
        }

        return (settings, error);
    }

    private static Exception? TryApply(string connectionString, ProsodyClientSettings settings, string source)
    {
        try
        {
            ProsodyConnectionString.Apply(connectionString, settings, source);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e;
        }
    }
}
