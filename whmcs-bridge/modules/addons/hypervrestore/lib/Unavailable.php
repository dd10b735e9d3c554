<?php
// The one place that turns "the sidecar is down or refuses us" into a module log entry for the admin and a
// friendly answer for the customer.

namespace WHMCS\Module\Addon\HypervRestore;

final class Unavailable
{
    /** Writes a WHMCS module log entry; the bridge secret is scrubbed by logModuleCall's replace list. */
    public static function log(Settings $settings, string $action, string $request, string $problem): void
    {
        self::logProblem($settings, $action, $request, 'Sidecar ' . $settings->sidecarUrl . ': ' . $problem);
    }

    /** A module log entry about anything else the admin should see (e.g. WHMCS's SendEmail refusing a notice). */
    public static function logProblem(Settings $settings, string $action, string $request, string $detail): void
    {
        if (!function_exists('logModuleCall')) {
            return;
        }
        logModuleCall('hypervrestore', $action, $request, $detail, '', array_filter([$settings->secret]));
    }

    /** Describes an answer that means "the bridge cannot use the sidecar", or null when the answer is usable. */
    public static function problemWith(SidecarResponse $response): ?string
    {
        if ($response->status === 401) {
            return 'HTTP 401: the sidecar rejected the bridge signature (is the Bridge secret the same as the sidecar\'s BRIDGE_SECRET, and are both clocks right?)';
        }
        if ($response->status >= 500) {
            return 'HTTP ' . $response->status . ': ' . ($response->failMessage() ?? substr($response->body, 0, 300));
        }
        return null;
    }

    public static function json(array $vars): SidecarResponse
    {
        return SidecarResponse::fail(503, Lang::text($vars, 'unavailable_title'));
    }

    public static function html(array $vars): string
    {
        return '<div class="alert alert-warning hypervrestore-unavailable" role="alert"><h4>'
            . htmlspecialchars(Lang::text($vars, 'unavailable_title')) . '</h4><p>'
            . htmlspecialchars(Lang::text($vars, 'unavailable_text')) . '</p></div>';
    }
}
