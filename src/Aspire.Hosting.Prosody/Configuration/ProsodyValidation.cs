using System.Text.RegularExpressions;

namespace Aspire.Hosting.Prosody.Configuration;

/// <summary>
/// Checks every value that reaches Prosody's configuration while the app model is built, so that nothing
/// invalid reaches a container. Each message names what is wrong and how to fix it.
/// </summary>
internal static partial class ProsodyValidation
{
    public static string Domain(string? domain, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain, paramName);
        if (!IsDnsName(domain))
        {
            throw new ArgumentException(
                $"'{Printable(domain)}' is not a valid XMPP domain. Use a DNS name of lowercase ASCII letters, digits, hyphens and dots, " +
                "such as 'chat.example.com', or 'chat.dev.localhost' for local development. A label with '-' as its third and fourth characters must be " +
                "an internationalized name in valid punycode ('xn--bcher-kva' for 'bücher'): Prosody refuses any other.",
                paramName);
        }

        return domain;
    }

    /// <summary>
    /// The public base URL of Prosody's HTTP services (<c>http_external_url</c>): absolute, <c>http</c> or
    /// <c>https</c>, with a host, without credentials, query or fragment, in ASCII. Returned with a trailing slash,
    /// since Prosody appends its paths (<c>share/…</c>, <c>xmpp-websocket</c>) to it.
    /// </summary>
    public static string PublicUrl(Uri? url, string paramName)
    {
        ArgumentNullException.ThrowIfNull(url, paramName);
        const string Fix = "Give the absolute http:// or https:// URL at which clients reach Prosody's HTTP services through your ingress or reverse proxy, such as 'https://chat.example.com/' (a path is allowed; a query, a fragment or credentials are not).";
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || url.Host.Length == 0)
        {
            throw new ArgumentException($"'{Printable(url.OriginalString)}' is not an absolute http or https URL. {Fix}", paramName);
        }

        if (url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0 || url.OriginalString.Contains('#') || url.OriginalString.Contains('?'))
        {
            throw new ArgumentException($"'{Printable(url.OriginalString)}' has credentials, a query or a fragment, which Prosody would put into every link it hands out. {Fix}", paramName);
        }

        var text = url.GetLeftPart(UriPartial.Path);
        if (url.OriginalString.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '\\' or '<' or '>' or '`') || text.Any(c => c is < '!' or > '~' or '"' or '\\' or '\'' or '<' or '>'))
        {
            throw new ArgumentException($"'{Printable(url.OriginalString)}' holds spaces, control characters, quotes or non-ASCII characters (use the punycode form of an international name). {Fix}", paramName);
        }

        return text.EndsWith('/') ? text : text + "/";
    }

    /// <summary>
    /// Aspire's rule for resource names, checked before anything is derived from the name or added to the model
    /// (Aspire's own check is internal and runs only when the resource is added). 64 characters is Aspire's limit;
    /// a name that becomes a DNS label may have 63.
    /// </summary>
    /// <summary>
    /// Refuses an account password that would end its value in a <c>k=v;</c> connection string early: a <c>;</c>, or
    /// a quote or white space at either end, which connection-string parsers take as syntax.
    /// </summary>
    public static void ConnectionStringPassword(string? password, string accountName, string parameterName)
    {
        if (string.IsNullOrEmpty(password)
            || password.Contains(';')
            || password[0] is '"' or '\'' || char.IsWhiteSpace(password[0]) || char.IsWhiteSpace(password[^1]))
        {
            throw new DistributedApplicationException(
                $"The password of the account '{accountName}' (parameter '{parameterName}') is empty, contains ';', or starts with a quote or starts or ends with white space, " +
                "which the connection string of apps that reference the account cannot carry. Give the parameter another value, or leave the password to AddAccount, which generates one.");
        }
    }

    public static string ResourceName(string? name, string paramName, int maxLength = 64)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, paramName);
        if (name.Length > maxLength || !ResourceNamePattern().IsMatch(name))
        {
            throw new ArgumentException(
                $"'{Printable(name)}' is not a valid resource name here. Use 1 to {maxLength} ASCII letters, digits and hyphens, starting with a letter, " +
                "without consecutive or trailing hyphens" + (maxLength < 64 ? " (the name becomes the first label of the default domain '{name}.dev.localhost')." : "."),
                paramName);
        }

        return name;
    }

    /// <summary>The domain of a component, <c>{subdomain}.{domain}</c>, must itself be a DNS name.</summary>
    public static void ComponentDomain(string subdomain, string domain, string paramName)
    {
        if (subdomain.Length + 1 + domain.Length > 253)
        {
            throw new ArgumentException(
                $"'{subdomain}.{domain}' would be longer than the 253 characters of a DNS name. Use a shorter {paramName}.", paramName);
        }
    }

    public static string Subdomain(string? label, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(label, paramName);
        if (!LabelPattern().IsMatch(label) || !IsLabelProsodyAccepts(label))
        {
            throw new ArgumentException(
                $"'{Printable(label)}' is not a valid subdomain label. Use one DNS label of lowercase letters, digits and hyphens, such as 'conference', " +
                "without '-' as its third and fourth characters unless it is an internationalized name in valid punycode ('xn--…'), which is all Prosody accepts there.",
                paramName);
        }

        return label;
    }

    public static string UserName(string? userName, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName, paramName);
        if (!UserNamePattern().IsMatch(userName))
        {
            throw new ArgumentException(
                $"'{Printable(userName)}' is not a valid user name. Use 1 to 64 lowercase letters, digits, '.', '_', '+' or '-', starting with a letter or digit " +
                "(XMPP compares user names in lower case, and characters such as '@', '/', ':' or spaces cannot stand in a JID).",
                paramName);
        }

        return userName;
    }

    public static string ModuleName(string? module, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(module, paramName);
        if (!ModulePattern().IsMatch(module))
        {
            throw new ArgumentException(
                $"'{Printable(module)}' is not a valid Prosody module name. Give the name without the 'mod_' prefix, in lowercase letters, digits, '_' and '-', " +
                "one module per argument (for example \"mam\", \"http_openmetrics\"): commas and spaces are not allowed.",
                paramName);
        }

        return module;
    }

    /// <summary>Whether a module file or directory found on disk (<c>mod_{name}</c>) has a name <see cref="ModuleName"/> accepts.</summary>
    public static bool IsModuleName(string name) => ModulePattern().IsMatch(name);

    public static string Rate(string? rate, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(rate, paramName);
        if (!RatePattern().IsMatch(rate))
        {
            throw new ArgumentException(
                $"'{Printable(rate)}' is not a rate Prosody understands. Write a whole number, an optional space, a unit (b, kb, mb or gb) and '/s', for example \"10kb/s\".",
                paramName);
        }

        return rate;
    }

    public static string FileName(string? fileName, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName, paramName);
        if (!FileNamePattern().IsMatch(fileName) || fileName is "." or "..")
        {
            throw new ArgumentException(
                $"'{Printable(fileName)}' is not a plain file name. Use letters, digits, '.', '_' and '-' only, such as \"prosody.sqlite\": the file lives in the data directory.",
                paramName);
        }

        return fileName;
    }

    /// <summary>An address clients use: an IP address or a DNS name.</summary>
    public static string Address(string? address, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(address, paramName);
        // Only an IP address in its own canonical text counts: the parser also accepts a "%zone" suffix of any
        // characters, and this value reaches coturn's shell command.
        var isIp = System.Net.IPAddress.TryParse(address, out var ip) && ip.ToString() == address;
        if (!isIp && !IsDnsName(address))
        {
            throw new ArgumentException(
                $"'{Printable(address)}' is neither an IP address nor a lowercase DNS name. Give the address clients use to reach the server, such as 'turn.example.com' or '203.0.113.7'.",
                paramName);
        }

        return address;
    }

    /// <summary>One IPv4 or IPv6 network in CIDR notation, as mod_http_openmetrics accepts it.</summary>
    public static string Network(string? cidr, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(cidr, paramName);
        if (!System.Net.IPNetwork.TryParse(cidr, out var network) || network.ToString() != cidr)
        {
            throw new ArgumentException(
                $"'{Printable(cidr)}' is not a network in CIDR notation with its host bits zero, such as '10.0.0.0/8' or 'fd00::/8'.", paramName);
        }

        return cidr;
    }

    public static int? Port(int? port, string paramName)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(paramName, port, "A port must be between 1 and 65535; pass null to let Aspire choose a free host port.");
        }

        return port;
    }

    public static int Positive(int value, int maximum, string paramName, string unit)
    {
        if (value < 1 || value > maximum)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"Give a whole number of {unit} from 1 to {maximum}.");
        }

        return value;
    }

    /// <summary>Shows control characters in an error message instead of letting them break the message.</summary>
    internal static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    /// <summary>A lowercase ASCII DNS name whose every label Prosody's IDNA check (<c>idna.to_ascii</c>) accepts.</summary>
    private static bool IsDnsName(string value) =>
        value.Length <= 253 && DomainPattern().IsMatch(value) && value.Split('.').All(IsLabelProsodyAccepts);

    /// <summary>
    /// Prosody (IDNA 2008) refuses labels with hyphens in positions 3 and 4, except A-labels: "xn--" followed by
    /// punycode that decodes to a valid internationalized label and encodes back to the same text. Measured against
    /// Prosody 13's <c>idna.to_ascii</c>: xn--bcher-kva, xn--p1ai, xn--9ca pass; xn--zz, xn--a, xn--bcher-kvb, ab--cd fail.
    /// </summary>
    private static bool IsLabelProsodyAccepts(string label)
    {
        if (label.Length < 4 || label[2] != '-' || label[3] != '-')
        {
            return true;
        }

        if (!label.StartsWith("xn--", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var idn = new System.Globalization.IdnMapping { UseStd3AsciiRules = true };
            return idn.GetAscii(idn.GetUnicode(label)) == label;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^(?=.{1,253}\z)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex DomainPattern();

    [GeneratedRegex(@"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^(?!.*--)[A-Za-z][A-Za-z0-9-]*(?<!-)\z", RegexOptions.CultureInvariant)]
    private static partial Regex ResourceNamePattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._+-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserNamePattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ModulePattern();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();

    [GeneratedRegex(@"^[0-9]{1,12} ?[bkmgBKMG][a-zA-Z]?/s\z", RegexOptions.CultureInvariant)]
    private static partial Regex RatePattern();
}
