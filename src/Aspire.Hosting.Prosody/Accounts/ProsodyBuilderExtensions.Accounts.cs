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

    /// <summary>
    /// Adds an account for a service of the app model. Prosody creates it at start (as <see cref="WithUser"/> does),
    /// and an app that references the returned resource receives the account's JID and password in its connection
    /// string, which <c>builder.AddProsodyClient("{name}")</c> of the Aspire.Prosody.Client package reads.
    /// </summary>
    /// <param name="builder">The Prosody resource builder.</param>
    /// <param name="name">The name of the account resource, and the connection name the app uses.</param>
    /// <param name="userName">The user name; the account's JID is <c>{userName}@{domain}</c>. Defaults to
    /// <paramref name="name"/> in lower case.</param>
    /// <param name="password">The password parameter; when null a secret parameter <c>{name}-password</c> is
    /// generated (and kept in user secrets in run mode).</param>
    /// <returns>The account resource builder.</returns>
    /// <exception cref="ArgumentException">The name or user name is invalid, or the user name is already taken.</exception>
    /// <example>
    /// <code lang="csharp">
    /// var chat = builder.AddProsody("chat");
    /// var bot = chat.AddAccount("bot");
    /// builder.AddProject&lt;Projects.Bot&gt;("lobby-bot").WithReference(bot).WaitFor(chat);
    /// </code>
    /// </example>
    [AspireExport]
    public static IResourceBuilder<ProsodyAccountResource> AddAccount(
        this IResourceBuilder<ProsodyResource> builder,
        [ResourceName] string name,
        string? userName = null,
        IResourceBuilder<ParameterResource>? password = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Everything is checked before anything changes, and a user name made from the name is reported as the name.
        ProsodyValidation.ResourceName(name, nameof(name));
        var userNameParameter = userName is null ? nameof(name) : nameof(userName);
        userName ??= name.ToLowerInvariant();
        ProsodyValidation.UserName(userName, userNameParameter);
        var prosody = builder.Resource;
        ThrowIfTaken(prosody.Settings.Accounts, userName, userNameParameter);

        var secret = password?.Resource
            ?? ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder.ApplicationBuilder, $"{name}-password", special: false);
        var account = new ProsodyAccountResource(name, userName, prosody, secret);
        // Added first: a name Aspire refuses throws here, before the server's configuration changes.
        var accountBuilder = AddServerPart(builder, account, "ProsodyAccount", new("xmpp.jid", account.Jid), "Person");
        prosody.Settings.Users.Add(new ProsodyAccount(userName, secret, IsAdmin: false));

        // The value is known only at start: refuse one the connection string cannot carry before the server starts.
        builder.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(prosody, async (_, ct) =>
            ProsodyValidation.ConnectionStringPassword(await secret.GetValueAsync(ct).ConfigureAwait(false), account.Name, secret.Name));

        return accountBuilder;
    }

    private static void ThrowIfTaken(IEnumerable<ProsodyAccount> accounts, string userName, string paramName)
    {
        if (accounts.Any(a => a.UserName == userName))
        {
            throw new ArgumentException($"The user '{userName}' is already declared on this Prosody resource. Give each account a different user name.", paramName);
        }
    }

    /// <summary>
    /// Chooses who may create an account over XMPP. Registration is <see cref="ProsodyRegistration.Closed"/> by
    /// default: no registration feature, form or invitation. <see cref="ProsodyRegistration.InviteOnly"/> lets people
    /// register with a token an administrator created (XEP-0401), for example with
    /// <c>prosodyctl shell invite create_account {domain}</c> in the container.
    /// </summary>
    /// <param name="builder">The resource builder.</param>
    /// <param name="registration">Who may register.</param>
    /// <returns>The resource builder.</returns>
    /// <remarks>
    /// Closed turns off Prosody's <c>register</c>, <c>register_ibr</c>, <c>invites</c>, <c>invites_adhoc</c> and
    /// <c>invites_register</c> modules (one that <see cref="WithEnabledModules"/> names stays on). That also removes
    /// in-band password change, which the app model's accounts do not need: their passwords are the parameters'.
    /// </remarks>
    [AspireExport]
    public static IResourceBuilder<ProsodyResource> WithRegistration(this IResourceBuilder<ProsodyResource> builder, ProsodyRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!Enum.IsDefined(registration))
        {
            throw new ArgumentOutOfRangeException(nameof(registration), registration, "Use one of the ProsodyRegistration values.");
        }

        builder.Resource.Settings.Registration = registration;
        return builder;
    }
}
