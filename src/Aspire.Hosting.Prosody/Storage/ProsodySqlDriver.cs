namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The SQL database server Prosody stores its data in (<c>PROSODY_SQL_DRIVER</c>).
/// </summary>
public enum ProsodySqlDriver
{
    /// <summary>PostgreSQL (Prosody's <c>PostgreSQL</c> driver).</summary>
    PostgreSql,

    /// <summary>MySQL or MariaDB (Prosody's <c>MySQL</c> driver).</summary>
    MySql,
}
