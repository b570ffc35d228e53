package org.epicgateway.xds.receipts;

/** Where the projector keeps each new receipt entry so receipts survive a restart. */
public interface ReceiptArchive {
  void keep(String commandId, Receipts.Ack ack);
}
