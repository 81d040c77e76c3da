namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Who may create group chat rooms on the multi-user chat component (Prosody's <c>restrict_room_creation</c>).
/// </summary>
public enum ProsodyRoomCreation
{
    /// <summary>Anyone who can reach the component, including users of federated servers (Prosody's default).</summary>
    Anyone,

    /// <summary>Only users with an account on this server.</summary>
    LocalUsers,

    /// <summary>Only server administrators.</summary>
    Admins,
}
