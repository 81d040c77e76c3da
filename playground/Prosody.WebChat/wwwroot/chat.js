// Starts Converse.js with the address the AppHost handed to this site (see /config.json and Program.cs).

// Converse.js's full-screen footer shows its sponsors' logos from the project's website. Registering our own
// <converse-footer> first keeps the page free of third-party requests (Converse.js only defines elements that
// are not defined yet).
customElements.define('converse-footer', class extends HTMLElement {
    connectedCallback() {
        this.innerHTML = '<footer class="text-center subdued py-3">Aspire playground: Prosody with Converse.js, served by this site.</footer>';
    }
});

const { default: converse } = await import('./converse/converse.min.js');
const config = await (await fetch('config.json')).json();

converse.initialize({
    // Where Converse.js loads its own chunks (translations, emoji data) from: this site, never a CDN.
    assets_path: 'converse/',
    websocket_url: config.websocketUrl,
    // Nothing to discover or look up elsewhere: the AppHost told us where the server is.
    discover_connection_methods: false,
    allow_registration: false,
    xmpp_providers_url: false,
    use_system_emojis: true,
    i18n: 'en',
    // Sign in as "alice" rather than "alice@chat.dev.localhost".
    locked_domain: config.domain,
    // Each browser tab keeps its own session, so one browser can be alice in one tab and bob in another.
    persistent_store: 'sessionStorage',
    allow_user_trust_override: false,
    view_mode: 'fullscreen',
    // Accounts in the playground have no contacts yet: allow chats with anyone on the server.
    allow_non_roster_messaging: true,
    auto_join_rooms: config.room ? [config.room] : [],
    muc_domain: config.room ? config.room.split('@')[1] : undefined,
    muc_nickname_from_jid: true,
    auto_register_muc_nickname: false,
    play_sounds: false,
    show_desktop_notifications: false,
    loglevel: 'info',
});
