#ifndef PTK_LANG_VERSION_H
#define PTK_LANG_VERSION_H
#define PTK_VERSION "0.1.0"
#endif
