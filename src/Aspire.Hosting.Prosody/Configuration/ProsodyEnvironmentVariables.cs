using System.Globalization;

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
        var variables = new Variables();
        AddServer(variables, configuration);
        AddFeatures(variables, configuration);
        AddExternalUrl(variables, configuration);
        AddStorage(variables, configuration);
        AddTurn(variables, configuration);
        AddSecrets(variables, configuration);
        return variables;
    }

    private static string? List(IEnumerable<string> values) => string.Join(",", values) is { Length: > 0 } joined ? joined : null;

    private static string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static void AddServer(Variables variables, ProsodyConfiguration configuration)
    {
        variables.Add("PROSODY_VIRTUAL_HOSTS", configuration.Settings.Domain);
        variables.Add("PROSODY_ADMINS", List(configuration.Admins));
        variables.Add("PROSODY_PLUGIN_PATHS", $"/etc/prosody/modules,{ProsodyConfiguration.ModulesDirectory}");
        variables.Add("PROSODY_ENABLE_MODULES", List(configuration.EnabledModules));
        variables.Add("PROSODY_DISABLE_MODULES", List(configuration.DisabledModules));
        variables.Add("PROSODY_LOGLEVEL", configuration.Settings.LogLevel?.ToString().ToLowerInvariant());
        variables.Add("PROSODY_C2S_RATE_LIMIT", configuration.ClientRateLimit);
        variables.Add("PROSODY_S2S_RATE_LIMIT", configuration.Settings.ServerRateLimit);
        if (configuration.RestartsOnCrash)
        {
            variables.Add(ProsodyConfiguration.RestartOnCrashVariable, "1");
        }

        if (configuration.MetricsEnabled)
        {
            variables.Add("PROSODY_STATISTICS", "internal");
            // Collected when scraped: the single scraper (the AppHost, or your Prometheus) decides the interval.
            variables.Add("PROSODY_STATISTICS_INTERVAL", "manual");
        }
    }

    private static void AddFeatures(Variables variables, ProsodyConfiguration configuration)
    {
        // Setting the archive expiry also enables mod_mam in the image's template.
        variables.Add("PROSODY_ARCHIVE_EXPIRY_DAYS", Number(configuration.Settings.ArchiveRetentionDays));
        variables.Add("PROSODY_COMPONENTS", List(configuration.Components.Select(c => $"{c.Name}:{c.Type}")));
        variables.Add("PROSODY_MUC_MODULES", List(configuration.MultiUserChatModules));
        variables.Add("PROSODY_UPLOAD_LIMIT_MB", Number(configuration.Settings.FileShare?.SizeLimitMegabytes));
        variables.Add("PROSODY_UPLOAD_STORAGE_GB", Number(configuration.Settings.FileShare?.QuotaGigabytes));
        if (configuration.Settings.Federation is { SecureAuthentication: false })
        {
            // The image's template only turns certificate-based s2s authentication off for the literal "0".
            variables.Add("PROSODY_S2S_SECURE_AUTH", "0");
        }
    }

    /// <summary>
    /// Run mode: the <c>http</c> endpoint as published on the developer's loopback. Publish mode: the public URL's
    /// parameter.
    /// </summary>
    private static void AddExternalUrl(Variables variables, ProsodyConfiguration configuration)
    {
        if (configuration.ExternalUrlVariableValue is { } value)
        {
            variables.Add(ProsodyConfiguration.HttpExternalUrlVariable, value);
        }
    }

    private static void AddStorage(Variables variables, ProsodyConfiguration configuration)
    {
        if (configuration.Settings.Storage is not { } storage)
        {
            return;
        }

        // Setting the driver switches the image's template to SQL storage.
        variables.Add("PROSODY_SQL_DRIVER", storage.Driver);
        variables.Add("PROSODY_SQL_DB", storage.Database.Value);
        variables.Add("PROSODY_SQL_HOST", storage.Host?.Value);
        variables.Add("PROSODY_SQL_USERNAME", storage.UserName?.Value);
        // Not PROSODY_SQL_PASSWORD: the generated sql table leaves the password out (Prosody logs that table), and
        // libpq or the MySQL client library reads it from its own variable.
        if (configuration.SqlPasswordVariable is { } passwordVariable)
        {
            variables.Add(passwordVariable, storage.Password?.Value);
        }

        // The image has no port variable: the generated configuration reads this one.
        variables.Add(ProsodyConfiguration.SqlPortVariable, storage.Port?.Value);
    }

    private static void AddTurn(Variables variables, ProsodyConfiguration configuration)
    {
        if (configuration.Settings.Turn is { } turn)
        {
            // Setting the secret enables mod_turn_external in the image's template.
            variables.Add("PROSODY_TURN_SECRET", turn.Secret);
            variables.Add("PROSODY_TURN_HOST", turn.Host.Value);
            variables.Add("PROSODY_TURN_PORT", turn.Port.Value);
        }
    }

    /// <summary>Component secrets, the deployment's certificate and key, and account passwords: parameters only.</summary>
    private static void AddSecrets(Variables variables, ProsodyConfiguration configuration)
    {
        foreach (var component in configuration.ExternalComponents)
        {
            variables.Add(component.SecretVariable, component.Secret);
        }

        if (configuration.TlsFromEnvironment is { } tls)
        {
            // The entrypoint wrapper writes them to files before Prosody starts and keeps them out of its environment.
            variables.Add(ProsodyConfiguration.TlsCertificateVariable, tls.Certificate);
            variables.Add(ProsodyConfiguration.TlsKeyVariable, tls.Key);
        }

        foreach (var account in configuration.Accounts)
        {
            variables.Add(account.PasswordVariable, account.Password);
        }
    }

    /// <summary>The image treats an empty variable as set, so a variable is only written when it has a value.</summary>
    private sealed class Variables : List<KeyValuePair<string, object>>
    {
        public void Add(string name, object? value)
        {
            if (value is not null and not "")
            {
                Add(new KeyValuePair<string, object>(name, value));
            }
        }
    }
}
