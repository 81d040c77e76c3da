namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The lowest level of the messages Prosody writes to the container's console (<c>PROSODY_LOGLEVEL</c>).
/// </summary>
public enum ProsodyLogLevel
{
    /// <summary>Everything, including every stanza: for diagnosing a problem, never for a deployment.</summary>
    Debug,

    /// <summary>Connections, logins and startup (Prosody's default).</summary>
    Info,

    /// <summary>Only warnings and errors.</summary>
    Warn,

    /// <summary>Only errors.</summary>
    Error,
}
