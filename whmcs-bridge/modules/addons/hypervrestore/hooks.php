<?php
// Adds "Hyper-V Restore" to the client area's primary navigation for logged-in clients only.

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

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
