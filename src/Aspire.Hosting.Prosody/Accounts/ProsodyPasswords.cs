using System.Globalization;

namespace Aspire.Hosting.Prosody.Accounts;

/// <summary>
/// Passwords Prosody can never accept: SASLprep (RFC 4013), which Prosody applies to every password, refuses empty
/// values, control characters (a line break included), private-use and non-character code points, lone surrogates
/// and the characters that change display direction. A parameter's value is known only when the resource starts, so
/// the check runs then and fails the start naming the parameter; the accounts module refuses the same in a
/// deployment. Prosody's own check (ICU or libidn) stays the authority for the rarer cases (such as bidirectional text rules).
/// </summary>
internal static class ProsodyPasswords
{
    /// <summary>Why SASLprep refuses the password, or null when this check finds nothing wrong.</summary>
    public static string? Problem(string password)
    {
        if (password.Length == 0)
        {
            return "it is empty";
        }

        for (var i = 0; i < password.Length; i++)
        {
            if (char.IsSurrogate(password, i) && !char.IsSurrogatePair(password, i) && (i == 0 || !char.IsSurrogatePair(password, i - 1)))
            {
                return $"it holds a lone surrogate at position {i}";
            }

            var codePoint = char.ConvertToUtf32(password, i);
            var category = CharUnicodeInfo.GetUnicodeCategory(codePoint);
            var refused = category is UnicodeCategory.Control or UnicodeCategory.PrivateUse
                || codePoint is >= 0xFDD0 and <= 0xFDEF || (codePoint & 0xFFFE) == 0xFFFE
                || codePoint is >= 0xFFF9 and <= 0xFFFD or >= 0x2FF0 and <= 0x2FFB
                || codePoint is 0x200E or 0x200F or (>= 0x202A and <= 0x202E) or (>= 0x206A and <= 0x206F) or 0x0340 or 0x0341
                || codePoint is 0xE0001 or (>= 0xE0020 and <= 0xE007F);
            if (refused)
            {
                return $"it holds the character U+{codePoint:X4} at position {i}, which SASLprep prohibits";
            }

            if (char.IsHighSurrogate(password[i]))
            {
                i++;
            }
        }

        return null;
    }

    /// <summary>Resolves every account's password and throws, naming the parameter, for one Prosody cannot accept.</summary>
    public static async Task CheckAsync(ProsodyResource resource, CancellationToken cancellationToken)
    {
        foreach (var account in resource.Settings.Accounts)
        {
            var value = await account.Password.GetValueAsync(cancellationToken).ConfigureAwait(false);
            if (value is not null && Problem(value) is { } problem)
            {
                throw new DistributedApplicationException(
                    $"The password of '{account.UserName}' on the Prosody resource '{resource.Name}' (the parameter '{account.Password.Name}') cannot be used: {problem}. " +
                    "Prosody prepares every password with SASLprep and would never let this account sign in. Give the parameter another value.");
            }
        }
    }
}
