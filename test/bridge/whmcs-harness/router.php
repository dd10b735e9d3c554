<?php
// php -S router that plays WHMCS for the module: index.php?m=hypervrestore (client area), addonmodules.php
// (admin area), activate.php (Setup > Addon Modules > Activate). Smarty is reduced to {$name} / {$name nofilter},
// which is all the module's template uses.

require __DIR__ . '/stubs.php';

$moduleDir = getenv('HVR_MODULE_DIR') ?: dirname(__DIR__, 3) . '/whmcs-bridge/modules/addons/hypervrestore';
require $moduleDir . '/hypervrestore.php';
require $moduleDir . '/hooks.php';

function harness_vars(string $link): array
{
    $_ADDONLANG = [];
    include $GLOBALS['moduleDir'] . '/lang/english.php';
    return harness_settings() + ['modulelink' => $link, 'version' => '1.0.0', '_lang' => $_ADDONLANG];
}

function harness_layout(string $title, string $body, bool $admin = false): void
{
    $nav = new \WHMCS\View\Menu\Item();
    foreach ($admin ? [] : ($GLOBALS['harness_hooks']['ClientAreaPrimaryNavbar'] ?? []) as $hook) {
        $hook($nav);
    }
    $links = '';
    foreach ($nav->getChildren() as $item) {
        $links .= '<a class="nav-item" href="' . htmlspecialchars((string) $item->options['uri']) . '">' . htmlspecialchars((string) $item->options['label']) . '</a>';
    }
    header('Content-Type: text/html; charset=utf-8');
    echo '<!DOCTYPE html><html><head><meta charset="utf-8"><title>' . htmlspecialchars($title) . '</title>'
        . '<script>var csrfToken = ' . json_encode(generate_token('plain')) . ';</script></head><body>'
        . '<nav id="primary-nav">' . $links . '</nav><main id="main-body">' . $body . '</main></body></html>';
}

function harness_smarty(string $file, array $vars): string
{
    $source = (string) preg_replace('/\{\*.*?\*\}/s', '', (string) file_get_contents($file));
    return (string) preg_replace_callback('/\{\$([A-Za-z_][A-Za-z0-9_]*)(?: nofilter)?\}/', fn ($m) => (string) ($vars[$m[1]] ?? ''), $source);
}

function harness_client_area(): void
{
    if (($_GET['m'] ?? '') !== 'hypervrestore') {
        harness_layout('Client Area', '<h1>Client Area</h1>');
        return;
    }
    $page = hypervrestore_clientarea(harness_vars('index.php?m=hypervrestore'));
    if (($page['requirelogin'] ?? false) && (harness_session()['client_id'] ?? null) === null) {
        harness_layout('Login', '<h1 id="whmcs-login">Login</h1><form method="post" action="dologin.php"></form>');
        return;
    }
    harness_layout((string) $page['pagetitle'], harness_smarty($GLOBALS['moduleDir'] . '/templates/' . $page['templatefile'] . '.tpl', $page['vars']));
}

function harness_admin_area(): void
{
    if ((harness_session()['admin_id'] ?? null) === null) {
        harness_layout('Admin Login', '<h1 id="whmcs-admin-login">Admin Login</h1>', true);
        return;
    }
    ob_start();
    hypervrestore_output(harness_vars('addonmodules.php?module=hypervrestore'));
    harness_layout('Addon Modules', (string) ob_get_clean(), true);
}

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$GLOBALS['moduleDir'] = $moduleDir;
if ($path === '/index.php' || $path === '/') {
    harness_client_area();
} elseif ($path === '/addonmodules.php') {
    harness_admin_area();
} elseif ($path === '/activate.php') {
    header('Content-Type: application/json');
    echo json_encode(hypervrestore_activate());
} elseif ($path === '/favicon.ico') {
    http_response_code(204);
} else {
    http_response_code(404);
    echo 'not found';
}
