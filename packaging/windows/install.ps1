<#
.SYNOPSIS
Installs or upgrades the Hyper-V Restore agent as the Windows service HypervRestoreAgent.

.DESCRIPTION
Run from the unzipped release folder in an elevated PowerShell. Copies the programs to the install folder, writes
agent.json into the data folder on the first run (a later run keeps it unless -ReplaceConfig is given), restricts
the data folder to SYSTEM and Administrators, checks the configuration with the agent itself, then registers and
starts the service. Running it again with a newer release upgrades in place.

.EXAMPLE
.\install.ps1 -SidecarUrl https://restore-agents.example.com -AgentConf C:\ProgramData\E3Backup\agent.conf

.EXAMPLE
.\install.ps1 -SidecarUrl https://restore-agents.example.com -AgentId 17 -AgentToken 'the token of this host'
#>
#Requires -Version 5.1
#Requires -RunAsAdministrator
[CmdletBinding()]
param(
    # How this host reaches the sidecar's /agent/ routes (https in production).
    [string] $SidecarUrl,
    # The backup agent's agent.conf: the agent takes its agent_id and agent_token from there.
    [string] $AgentConf,
    # Or the id and token of this host's agent row, given directly.
    [int] $AgentId = 0,
    [string] $AgentToken,
    # Write agent.json again from the parameters even though one exists.
    [switch] $ReplaceConfig,
    [string] $InstallDir = (Join-Path $env:ProgramFiles 'HypervRestore'),
    [string] $DataDir = (Join-Path $env:ProgramData 'HypervRestore'),
    [string] $ServiceName = 'HypervRestoreAgent'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# Well-known SIDs: the account names are translated on non-English Windows, the SIDs are not.
$System = '*S-1-5-18'
$Administrators = '*S-1-5-32-544'
$Programs = @('hyperv-restore-agent.exe', 'hyperv-restore-service.exe', 'kopia.exe')
$Documents = @('install.ps1', 'uninstall.ps1', 'agent.example.json', 'README.txt', 'LICENSES.txt', 'SHA256SUMS')
$ConfigPath = Join-Path $DataDir 'agent.json'
$AgentExe = Join-Path $InstallDir 'hyperv-restore-agent.exe'
$ServiceExe = Join-Path $InstallDir 'hyperv-restore-service.exe'

function Assert-PackageIntact {
    # Every file of the release must match SHA256SUMS before anything is installed.
    foreach ($line in Get-Content -LiteralPath (Join-Path $PSScriptRoot 'SHA256SUMS')) {
        if ($line -notmatch '^([0-9a-f]{64})  (.+)$') { continue }
        $expected = $Matches[1]
        $name = $Matches[2]
        $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath (Join-Path $PSScriptRoot $name)).Hash.ToLowerInvariant()
        if ($actual -ne $expected) { throw "$name does not match SHA256SUMS: the download is damaged, unzip it again" }
    }
}

function New-AgentConfig {
    if (-not $SidecarUrl) { throw 'Give -SidecarUrl (and -AgentConf, or -AgentId with -AgentToken) for the first installation' }
    $config = [ordered]@{ sidecar_url = $SidecarUrl }
    if ($AgentConf) {
        if ($AgentId -or $AgentToken) { throw 'Give either -AgentConf or -AgentId with -AgentToken, not both' }
        if (-not (Test-Path -LiteralPath $AgentConf -PathType Leaf)) { throw "The backup agent's configuration $AgentConf does not exist" }
        $config.agent_conf = $AgentConf
    } elseif ($AgentId -gt 0 -and $AgentToken) {
        $config.agent_id = $AgentId
        $config.agent_token = $AgentToken
    } else {
        throw 'Give -AgentConf, or -AgentId with -AgentToken'
    }
    $config.kopia_path = Join-Path $InstallDir 'kopia.exe'
    $config.work_dir = Join-Path $DataDir 'work'
    # UTF-8 without a byte-order mark: Windows PowerShell's Set-Content would write one, which JSON does not allow.
    [System.IO.File]::WriteAllText($ConfigPath, ($config | ConvertTo-Json), (New-Object System.Text.UTF8Encoding $false))
    & icacls.exe $ConfigPath /inheritance:r /grant:r "${System}:F" "${Administrators}:F" | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "icacls could not restrict $ConfigPath" }
    Write-Host "Wrote $ConfigPath (readable by SYSTEM and Administrators only)"
}

function Stop-AgentService {
    $service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
    if ($service -and $service.Status -ne 'Stopped') {
        Write-Host "Stopping $ServiceName (a restore in progress is reported as stopped and can be started again)"
        Stop-Service -Name $ServiceName
        $service.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(90))
    }
    return [bool]$service
}

function Register-AgentService([bool] $exists) {
    $command = "`"$ServiceExe`" --config `"$ConfigPath`""
    if ($exists) {
        # Through CIM, not sc.exe: Windows PowerShell passes an argument holding quotes to a program mangled.
        $result = Get-CimInstance -ClassName Win32_Service -Filter "Name='$ServiceName'" |
            Invoke-CimMethod -MethodName Change -Arguments @{ PathName = $command; StartMode = 'Automatic' }
        if ($result.ReturnValue -ne 0) { throw "Could not update the service $ServiceName (error $($result.ReturnValue))" }
    } else {
        New-Service -Name $ServiceName -BinaryPathName $command -DisplayName 'Hyper-V Restore Agent' -StartupType Automatic `
            -Description 'Restores Hyper-V disks from Kopia backups for the WHMCS Hyper-V Restore service.' | Out-Null
    }
    # Restart after 10 s, 10 s, then 60 s; the failure count resets after a day without failures.
    & sc.exe failure $ServiceName reset= 86400 actions= restart/10000/restart/10000/restart/60000 | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "sc.exe could not set the restart policy of $ServiceName" }
}

Assert-PackageIntact
$existed = Stop-AgentService

New-Item -ItemType Directory -Force -Path $InstallDir, $DataDir, (Join-Path $DataDir 'work'), (Join-Path $DataDir 'logs') | Out-Null
& icacls.exe $DataDir /inheritance:r /grant:r "${System}:(OI)(CI)F" "${Administrators}:(OI)(CI)F" | Out-Null
if ($LASTEXITCODE -ne 0) { throw "icacls could not restrict $DataDir" }

$source = (Resolve-Path -LiteralPath $PSScriptRoot).Path.TrimEnd('\')
$target = (Resolve-Path -LiteralPath $InstallDir).Path.TrimEnd('\')
if ($source -ne $target) {
    foreach ($name in $Programs + $Documents) { Copy-Item -LiteralPath (Join-Path $source $name) -Destination $target -Force }
}
Write-Host "Programs in $InstallDir"

if ($ReplaceConfig -or -not (Test-Path -LiteralPath $ConfigPath)) {
    New-AgentConfig
} else {
    Write-Host "Keeping $ConfigPath (give -ReplaceConfig to write it again from the parameters)"
}

& $AgentExe --check-config $ConfigPath
if ($LASTEXITCODE -ne 0) { throw "The configuration $ConfigPath is not valid (see the line above); the service was not started" }

Register-AgentService $existed
Start-Service -Name $ServiceName
Get-Service -Name $ServiceName | Format-Table -AutoSize Status, Name, DisplayName
Write-Host "Logs: $(Join-Path $DataDir 'logs\agent.log')"
Write-Host 'Check: Get-Service HypervRestoreAgent says Running; within a minute the WHMCS admin page (Addons > Hyper-V Restore > Agents) shows this host online.'
