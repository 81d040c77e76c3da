using System.Data.Common;
using System.Globalization;

namespace Aspire.Prosody.Client;

/// <summary>Reads the connection string an AppHost hands over into the settings it names.</summary>
internal static class ProsodyConnectionString
{
    /// <summary>Sets the settings that the connection string names; the others keep their values.</summary>
    /// <exception cref="InvalidOperationException">The string is malformed, or a value is out of range.</exception>
    public static void Apply(string connectionString, ProsodyClientSettings settings, string source)
    {
        DbConnectionStringBuilder builder;
        try
        {
            builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException e)
        {
            // The parser's message may quote the string, and with it a password: say where it came from instead.
            throw new InvalidOperationException($"The connection string in '{source}' is not of the form 'Host=…;Port=…;Domain=…'.", e);
        }

        foreach (string key in builder.Keys)
        {
            var value = Convert.ToString(builder[key], CultureInfo.InvariantCulture) ?? "";
            switch (key.ToLowerInvariant())
            {
                case "host":
                    settings.Host = value;
                    break;
                case "port":
                    settings.Port = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
                        ? port
                        : throw new InvalidOperationException($"The connection string in '{source}' has Port '{value}'; a port is a number from 1 to 65535.");
                    break;
                case "domain":
                    settings.Domain = value;
                    break;
                case "username":
                    settings.Username = value;
                    break;
                case "password":
                    settings.Password = value;
                    break;
                case "resource":
                    settings.Resource = value;
                    break;
                default:
                    // Keys a newer AppHost may add (such as Jid) are not this client's business.
                    break;
            }
        }
    }
}
