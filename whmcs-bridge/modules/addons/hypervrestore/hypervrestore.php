<?php
/**
 * Hyper-V Restore: WHMCS addon module (the "bridge").
 *
 * It holds no business logic. It knows who is logged in (WHMCS's current user), signs each request for the
 * restore sidecar with the shared bridge secret and passes the sidecar's answer through. The sidecar's
 * migrations own the database schema, so activation never creates or drops tables.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/lib/Settings.php';
require_once __DIR__ . '/lib/Lang.php';
require_once __DIR__ . '/lib/SidecarResponse.php';
require_once __DIR__ . '/lib/SidecarClient.php';
require_once __DIR__ . '/lib/Identity.php';
require_once __DIR__ . '/lib/Csrf.php';
require_once __DIR__ . '/lib/ClientRoutes.php';
require_once __DIR__ . '/lib/Theme.php';
require_once __DIR__ . '/lib/RequestBody.php';
require_once __DIR__ . '/lib/ApiRequest.php';
require_once __DIR__ . '/lib/Unavailable.php';
require_once __DIR__ . '/lib/NoticeTemplate.php';
require_once __DIR__ . '/lib/NoticePass.php';
require_once __DIR__ . '/lib/ClientDispatcher.php';
require_once __DIR__ . '/lib/AdminDispatcher.php';

use WHMCS\Module\Addon\HypervRestore\AdminDispatcher;
use WHMCS\Module\Addon\HypervRestore\ClientDispatcher;
use WHMCS\Module\Addon\HypervRestore\Identity;
use WHMCS\Module\Addon\HypervRestore\NoticeTemplate;
use WHMCS\Module\Addon\HypervRestore\Settings;
use WHMCS\Module\Addon\HypervRestore\SidecarClient;

function hypervrestore_config(): array
{
    return [
        'name' => 'Hyper-V Restore',
        'description' => 'Lets clients restore Hyper-V VM disks from their Kopia backups, served by the restore sidecar.',
        'author' => 'Hyper-V Restore',
        'language' => 'english',
        'version' => '1.1.0',
        'fields' => [
            'sidecar_url' => [
                'FriendlyName' => 'Sidecar URL',
                'Type' => 'text',
                'Size' => '60',
                'Default' => 'http://127.0.0.1:8787',
                'Description' => 'Base URL of the restore sidecar as this WHMCS server reaches it (never exposed to browsers).',
            ],
            'bridge_secret' => [
                'FriendlyName' => 'Bridge secret',
                'Type' => 'password',
                'Size' => '60',
                'Default' => '',
                'Description' => 'The sidecar\'s BRIDGE_SECRET (32+ characters).',
            ],
            'timeout' => [
                'FriendlyName' => 'Request timeout (seconds)',
                'Type' => 'text',
                'Size' => '5',
                'Default' => '15',
                'Description' => 'How long to wait for the sidecar before showing the "temporarily unavailable" page.',
            ],
            'notify_client' => [
                'FriendlyName' => 'E-mail the client when a restore ends',
                'Type' => 'yesno',
                'Default' => 'yes',
                'Description' => 'Sends the client e-mail template "' . NoticeTemplate::NAME . '" through WHMCS when a restore succeeds, '
                    . 'fails or is cancelled (checked by the WHMCS cron). Restores that end while this is off are not e-mailed later.',
            ],
            'theme' => [
                'FriendlyName' => 'Client area Bootstrap',
                'Type' => 'dropdown',
                'Options' => 'auto,bootstrap3,bootstrap4',
                'Default' => 'auto',
                'Description' => 'The restore pages use the theme\'s Bootstrap classes. auto: Bootstrap 3 for Six, Bootstrap 4 for Twenty-One and other themes.',
            ],
        ],
    ];
}

function hypervrestore_activate(): array
{
    // Settings are not saved yet on first activation; the default URL is checked then.
    $settings = Settings::fromVars(Settings::storedVars());
    $template = hypervrestore_template_line();
    $health = (new SidecarClient($settings))->health();
    if ($health === null) {
        return [
            'status' => 'info',
            'description' => 'Hyper-V Restore activated, but the sidecar at ' . $settings->sidecarUrl
                . ' did not answer /healthz. Start it and set the Sidecar URL and Bridge secret under Configure.' . $template,
        ];
    }
    return [
        'status' => 'success',
        'description' => 'Hyper-V Restore activated. The sidecar at ' . $settings->sidecarUrl . ' answers /healthz ('
            . $health . '). Set the Bridge secret under Configure.' . $template,
    ];
}

/** Creates the client e-mail template when missing (never overwrites one) and says what happened. */
function hypervrestore_template_line(): string
{
    $problem = null;
    $created = NoticeTemplate::ensure($problem);
    if ($created === null) {
        return ' The e-mail template "' . NoticeTemplate::NAME . '" could not be created (' . $problem . ').';
    }
    return $created
        ? ' Created the client e-mail template "' . NoticeTemplate::NAME . '" (Setup > Email Templates).'
        : ' The client e-mail template "' . NoticeTemplate::NAME . '" already exists and was left as it is.';
}

function hypervrestore_deactivate(): array
{
    // Restore history lives in tables the sidecar and the backup module share; nothing is dropped here.
    return ['status' => 'success', 'description' => 'Hyper-V Restore deactivated. No data was removed.'];
}

function hypervrestore_upgrade(array $vars): void
{
    // The schema belongs to the sidecar (`npm run migrate`). An installation from before the restore-finished e-mail
    // gets its template here (WHMCS calls _upgrade, not _activate, when the version changes).
    NoticeTemplate::ensure();
}

function hypervrestore_clientarea(array $vars): array
{
    $dispatcher = new ClientDispatcher(new SidecarClient(Settings::fromVars($vars)), Identity::current(), $vars);
    $result = $dispatcher->dispatch($_GET, $_POST, $_SERVER);
    if ($result instanceof \WHMCS\Module\Addon\HypervRestore\SidecarResponse) {
        $result->send();
        exit;
    }
    return $result;
}

function hypervrestore_output(array $vars): void
{
    $dispatcher = new AdminDispatcher(new SidecarClient(Settings::fromVars($vars)), Identity::current(), $vars);
    $result = $dispatcher->dispatch($_GET, $_POST, $_SERVER);
    if ($result instanceof \WHMCS\Module\Addon\HypervRestore\SidecarResponse) {
        // The admin area buffers the page around _output: the wizard's JSON or asset replaces the whole response.
        while (ob_get_level() > 0) {
            ob_end_clean();
        }
        $result->send();
        exit;
    }
    echo $result;
}
