/* bcryptprimitives.dll for Wine 8, which has none: Go 1.22+ programs (kopia.exe) get their random bytes from
 * bcryptprimitives!ProcessPrng and stop at start without it. This exports that one function on top of
 * advapi32!SystemFunction036 (RtlGenRandom), which Wine has. Built by scripts/ensure-wine.sh; tests only. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    /* RtlGenRandom takes a ULONG: larger requests are served in pieces. */
    while (length > 0) {
        ULONG piece = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, piece)) return FALSE;
        data += piece;
        length -= piece;
    }
    return TRUE;
}
