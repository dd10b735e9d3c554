<?php
// Adds "Hyper-V Restore" to the client area's primary navigation for logged-in clients only, and e-mails clients
// about their ended restores after each WHMCS cron run.

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

// WHMCS loads this file on its own (without hypervrestore.php), so the hook brings the classes it uses.
require_once __DIR__ . '/lib/Settings.php';
require_once __DIR__ . '/lib/Lang.php';
require_once __DIR__ . '/lib/SidecarResponse.php';
require_once __DIR__ . '/lib/SidecarClient.php';
require_once __DIR__ . '/lib/Unavailable.php';
require_once __DIR__ . '/lib/NoticeTemplate.php';
require_once __DIR__ . '/lib/NoticePass.php';

use WHMCS\Module\Addon\HypervRestore\NoticePass;
use WHMCS\Module\Addon\HypervRestore\Settings;
use WHMCS\Module\Addon\HypervRestore\SidecarClient;
use WHMCS\View\Menu\Item as MenuItem;

add_hook('ClientAreaPrimaryNavbar', 1, function (MenuItem $primaryNavbar): void {
    $user = new \WHMCS\Authentication\CurrentUser();
    if ($user->client() === null || $primaryNavbar->getChild('hypervrestore') !== null) {
        return;
    }
    $primaryNavbar->addChild('hypervrestore', [
        'label' => 'Hyper-V Restore',
        'uri' => 'index.php?m=hypervrestore',
        'order' => 75,
    ]);
});

// The sidecar says which restores ended and were not e-mailed yet; a pass that fails is simply repeated next cron.
add_hook('AfterCronJob', 1, function (): void {
    (new NoticePass(new SidecarClient(Settings::fromVars(Settings::storedVars()))))->run();
});
