namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Who may create an account on the server over XMPP (in-band registration, XEP-0077). Accounts the app model
/// declares (<c>WithUser</c>) are created either way.
/// </summary>
public enum ProsodyRegistration
{
    /// <summary>
    /// Nobody: no registration feature is advertised, no registration form is served, no invitation can be created,
    /// and a registration attempt is refused. The default.
    /// </summary>
    Closed,

    /// <summary>
    /// Only with an invitation (XEP-0401): the server advertises <c>urn:xmpp:ibr-token:0</c> and registration, and an
    /// account is created only with a token an administrator made (<c>prosodyctl shell invite create_account {domain}</c>,
    /// or the "Create new account invite" ad-hoc command). Registration without a token is refused.
    /// </summary>
    InviteOnly,
}
