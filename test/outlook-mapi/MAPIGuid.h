/* Stand-in for MAPIGuid.h of Microsoft's Outlook MAPI headers: see README.md.
 * Without INITGUID it only declares, and may be included any number of times;
 * with INITGUID it defines the IIDs a USES_IID_<name> asks for, once. */
#ifndef MAPIGUID_H
#ifdef INITGUID
#define MAPIGUID_H
#endif

#if !defined(INITGUID) || defined(USES_IID_IMAPISession)
DEFINE_OLEGUID(IID_IMAPISession, 0x00020300, 0, 0);
#endif
#if !defined(INITGUID) || defined(USES_IID_IMAPIClientShutdown)
DEFINE_OLEGUID(IID_IMAPIClientShutdown, 0x00020397, 0, 0);
#endif
#if !defined(INITGUID) || defined(USES_IID_IMAPIProviderShutdown)
DEFINE_OLEGUID(IID_IMAPIProviderShutdown, 0x00020398, 0, 0);
#endif

#endif /* MAPIGUID_H */
