using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Prosody.Configuration;

namespace Aspire.Hosting;

public static partial class ProsodyBuilderExtensions
{
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
