<?php
// Which Bootstrap the client area's theme is built on, so the sidecar's pages wear its classes and look like the
// theme's own pages: Six is Bootstrap 3, Twenty-One (and the themes made from it) Bootstrap 4. The module setting
// wins; "auto" reads the system theme (the session's, as ?systpl= previews set it, else the System Theme setting).

namespace WHMCS\Module\Addon\HypervRestore;

final class Theme
{
    public const AUTO = 'auto';
    public const BOOTSTRAP = ['bootstrap3', 'bootstrap4'];

    /** Themes known to be built on Bootstrap 3; any other is taken as Bootstrap 4, as WHMCS 8's themes are. */
    private const BOOTSTRAP3_THEMES = ['six'];

    public static function of(array $vars): string
    {
        $setting = (string) ($vars['theme'] ?? self::AUTO);
        if (in_array($setting, self::BOOTSTRAP, true)) {
            return $setting;
        }
        return in_array(strtolower(self::systemTheme()), self::BOOTSTRAP3_THEMES, true) ? 'bootstrap3' : 'bootstrap4';
    }

    private static function systemTheme(): string
    {
        if (isset($_SESSION['Template']) && is_string($_SESSION['Template'])) {
            return $_SESSION['Template'];
        }
        if (class_exists('\WHMCS\Config\Setting')) {
            try {
                return (string) \WHMCS\Config\Setting::getValue('Template');
            } catch (\Throwable $e) {
                return '';
            }
        }
        return '';
    }
}
