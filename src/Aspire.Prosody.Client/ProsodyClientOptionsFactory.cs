using Microsoft.Extensions.Hosting;

namespace Aspire.Prosody.Client;

/// <summary>Turns validated settings into the client's options.</summary>
internal static class ProsodyClientOptionsFactory
{
    /// <exception cref="InvalidOperationException">Connection information is missing or invalid; the message names
    /// the configuration keys that supply it.</exception>
    public static XmppClientOptions Create(ProsodyClientSettings settings, string connectionName)
    {
        Require(settings.Host, "Host", connectionName);
        Require(settings.Domain, "Domain", connectionName);
        Require(settings.Username, "Username", connectionName);
        Require(settings.Password, "Password", connectionName);

        var options = new XmppClientOptions
        {
            Host = settings.Host!,
            Port = settings.Port,
            Domain = settings.Domain!,
            Username = settings.Username!,
            Password = settings.Password!,
            Resource = settings.Resource,
            ConnectTimeout = settings.ConnectTimeout,
            RequestTimeout = settings.RequestTimeout,
            PingInterval = settings.PingInterval,
            MaxReconnectAttempts = settings.MaxReconnectAttempts,
        };

        if (!string.IsNullOrEmpty(settings.TrustedCertificatesPath))
        {
            if (!File.Exists(settings.TrustedCertificatesPath))
            {
                throw new InvalidOperationException(
                    $"The trusted certificates file '{settings.TrustedCertificatesPath}' ({AspireProsodyClientExtensions.DefaultConfigSectionName}:{connectionName}:TrustedCertificatesPath) does not exist. Give the path of a PEM file, or leave it unset to trust the system's roots only.");
            }

            options.TrustedCertificates.ImportFromPemFile(settings.TrustedCertificatesPath);
        }

        return options;
    }

    private static void Require(string? value, string key, string connectionName)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidOperationException(
                $"The Prosody client '{connectionName}' has no {key}. Reference an account from the AppHost " +
                $"(chat.AddAccount(\"{connectionName}\") and WithReference), which sets 'ConnectionStrings:{connectionName}', " +
                $"or set '{AspireProsodyClientExtensions.DefaultConfigSectionName}:{connectionName}:{key}'.");
        }
    }
}
