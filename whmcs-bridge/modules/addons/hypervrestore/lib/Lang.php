<?php
// Module texts: WHMCS hands them over as $vars['_lang']; the file itself is the fallback.

namespace WHMCS\Module\Addon\HypervRestore;

final class Lang
{
    private static ?array $fallback = null;

    public static function text(array $vars, string $key): string
    {
        $lang = is_array($vars['_lang'] ?? null) ? $vars['_lang'] : self::fallback();
        return (string) ($lang[$key] ?? self::fallback()[$key] ?? $key);
    }

    private static function fallback(): array
    {
        if (self::$fallback === null) {
            $_ADDONLANG = [];
            include dirname(__DIR__) . '/lang/english.php';
            self::$fallback = $_ADDONLANG;
        }
        return self::$fallback;
    }
}
