include $(sort $(wildcard $(BR2_EXTERNAL_MODUTILS_PATH)/package/*/*.mk))
