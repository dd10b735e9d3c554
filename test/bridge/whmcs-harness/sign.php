<?php
// Reads [{timestamp, nonce, method, path_and_query, client_id, admin_id, body, secret}] as JSON on stdin and prints
// the module's canonical string and signature for each, so the tests compare PHP with the TypeScript side.

$module = getenv('HVR_MODULE_DIR') ?: dirname(__DIR__, 3) . '/whmcs-bridge/modules/addons/hypervrestore';
require $module . '/lib/Settings.php';
require $module . '/lib/SidecarResponse.php';
require $module . '/lib/SidecarClient.php';

use WHMCS\Module\Addon\HypervRestore\SidecarClient;

$out = [];
foreach (json_decode((string) stream_get_contents(STDIN), true) as $v) {
    $canonical = SidecarClient::canonicalString($v['timestamp'], $v['nonce'], $v['method'], $v['path_and_query'], $v['client_id'], $v['admin_id'], $v['body']);
    $out[] = ['canonical' => $canonical, 'signature' => SidecarClient::sign($v['secret'], $canonical), 'nonce' => SidecarClient::nonce()];
}
echo json_encode($out);
