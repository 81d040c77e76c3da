using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Prosody.Configuration;

namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
    /// <summary>
    /// Renames the administrator account (default <c>admin</c>). The administrator is listed in
    /// <c>PROSODY_ADMINS</c> and created at start with the password given to <c>AddProsody</c>.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="userName">The user name (local part of the JID), such as <c>operator</c>.</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already used by a <see cref="WithUser"/> account.</exception>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithAdminUserName(this IResourceBuilder<ProsodyResource> builder, string userName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ProsodyValidation.UserName(userName, nameof(userName));
        var settings = builder.Resource.Settings;
        ThrowIfTaken(settings.Users, userName, nameof(userName));
        settings.Administrator = settings.Administrator with { UserName = userName };
        return builder;
    }

    /// <summary>
    /// Adds an account that Prosody creates at start, and whose password it resets to the parameter's value at
    /// every start. Works with any storage, for any number of accounts (the official image alone registers one).
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="userName">The user name; the account's JID is <c>{userName}@{domain}</c>.</param>
    /// <param name="password">The password parameter; when null a secret parameter <c>{name}-{userName}-password</c>
    /// is generated (and kept in user secrets in run mode).</param>
    /// <param name="isAdmin">Whether the account is a server administrator (listed in <c>PROSODY_ADMINS</c>).</param>
    /// <returns>The resource builder.</returns>
    /// <exception cref="ArgumentException">The user name is invalid or already taken.</exception>
    /// <example>
    /// <code lang="csharp">
    /// var bobPassword = builder.AddParameter("bob-password", secret: true);
    /// builder.AddProsody("chat").WithUser("alice").WithUser("bob", bobPassword);
    /// </code>
    /// </example>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithUser(
        this IResourceBuilder<ProsodyResource> builder,
        string userName,
        IResourceBuilder<ParameterResource>? password = null,
        bool isAdmin = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ProsodyValidation.UserName(userName, nameof(userName));
        var settings = builder.Resource.Settings;
        ThrowIfTaken(settings.Accounts, userName, nameof(userName));

        var secret = password?.Resource
            ?? ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder.ApplicationBuilder, $"{builder.Resource.Name}-{userName}-password", special: false);
        settings.Users.Add(new ProsodyAccount(userName, secret, isAdmin));
        return builder;
    }

    private static void ThrowIfTaken(IEnumerable<ProsodyAccount> accounts, string userName, string paramName)
    {
        if (accounts.Any(a => a.UserName == userName))
        {
            throw new ArgumentException($"The user '{userName}' is already declared on this Prosody resource. Give each account a different user name.", paramName);
        }
    }
}
