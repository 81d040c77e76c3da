using System.Globalization;
using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting.Prosody.Configuration;

/// <summary>
/// Maps the configuration onto the official image's <c>PROSODY_*</c> environment variables.
/// </summary>
/// <remarks>
/// The image's template splits lists on "," without trimming and treats an empty variable as set, so lists are
/// joined without spaces and a variable is only written when it has a value. Secrets stay parameter references:
/// they resolve in the container's environment and appear in a manifest only as placeholders.
/// </remarks>
internal static class ProsodyEnvironmentVariables
{
    public static IReadOnlyList<KeyValuePair<string, object>> Create(ProsodyConfiguration configuration)
    {
        var settings = configuration.Settings;
        var variables = new List<KeyValuePair<string, object>>();

        void Add(string name, object? value)
        {
            if (value is not null and not "")
            {
                variables.Add(new(name, value));
            }
        }

        static string? List(IEnumerable<string> values) => string.Join(",", values) is { Length: > 0 } joined ? joined : null;
        static string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);

        Add("PROSODY_VIRTUAL_HOSTS", configuration.Domain);
        Add("PROSODY_ADMINS", List(configuration.Admins));
        Add("PROSODY_PLUGIN_PATHS", $"/etc/prosody/modules,{ProsodyConfiguration.ModulesDirectory}");
        Add("PROSODY_ENABLE_MODULES", List(configuration.EnabledModules));
        Add("PROSODY_DISABLE_MODULES", List(configuration.DisabledModules));
        Add("PROSODY_LOGLEVEL", settings.LogLevel?.ToString().ToLowerInvariant());
        Add("PROSODY_C2S_RATE_LIMIT", configuration.ClientRateLimit);
        Add("PROSODY_S2S_RATE_LIMIT", settings.ServerRateLimit);
        if (configuration.MetricsEnabled)
        {
            Add("PROSODY_STATISTICS", "internal");
            // Collected when scraped: the single scraper (the AppHost, or your Prometheus) decides the interval.
            Add("PROSODY_STATISTICS_INTERVAL", "manual");
        }

        // Setting the archive expiry also enables mod_mam in the image's template.
        Add("PROSODY_ARCHIVE_EXPIRY_DAYS", Number(settings.ArchiveRetentionDays));
        Add("PROSODY_COMPONENTS", List(configuration.Components.Select(c => $"{c.Name}:{c.Type}")));
        Add("PROSODY_MUC_MODULES", List(configuration.MultiUserChatModules));
        Add("PROSODY_UPLOAD_LIMIT_MB", Number(settings.FileShare?.SizeLimitMegabytes));
        Add("PROSODY_UPLOAD_STORAGE_GB", Number(settings.FileShare?.QuotaGigabytes));
        if (settings.Federation is { SecureAuthentication: false })
        {
            // The image's template only turns certificate-based s2s authentication off for the literal "0".
            Add("PROSODY_S2S_SECURE_AUTH", "0");
        }

        if (configuration.UsesPublishedHttpUrl && (settings.FileShare is not null))
        {
            Add(ProsodyConfiguration.HttpExternalUrlVariable, configuration.PublishedHttpUrl);
        }

        foreach (var component in configuration.ExternalComponents)
        {
            Add(component.SecretVariable, component.Secret);
        }

        if (settings.Storage is { } storage)
        {
            // Setting the driver switches the image's template to SQL storage.
            Add("PROSODY_SQL_DRIVER", storage.Driver);
            Add("PROSODY_SQL_DB", storage.Database);
            Add("PROSODY_SQL_HOST", storage.Host);
            Add("PROSODY_SQL_USERNAME", storage.UserName);
            // Not PROSODY_SQL_PASSWORD: the generated sql table leaves the password out (Prosody logs that table), and
            // libpq or the MySQL client library reads it from its own variable.
            if (configuration.SqlPasswordVariable is { } passwordVariable)
            {
                Add(passwordVariable, storage.Password);
            }

            // The image has no port variable: the generated configuration reads this one.
            Add(ProsodyConfiguration.SqlPortVariable, storage.Port);
        }

        if (settings.Turn is { } turn)
        {
            // Setting the secret enables mod_turn_external in the image's template.
            Add("PROSODY_TURN_SECRET", turn.Secret);
            Add("PROSODY_TURN_HOST", turn.Host);
            Add("PROSODY_TURN_PORT", turn.Port);
        }

        if (configuration.TlsFromEnvironment is { } tls)
        {
            // The entrypoint wrapper writes them to files before Prosody starts and keeps them out of its environment.
            Add(ProsodyConfiguration.TlsCertificateVariable, tls.Certificate);
            Add(ProsodyConfiguration.TlsKeyVariable, tls.Key);
        }

        foreach (var account in configuration.Accounts)
        {
            Add(account.PasswordVariable, account.Password);
        }

        return variables;
    }
}
