/**
 * DWARF constants used by goxray, spelled as in the DWARF 5 specification (§7) so that they grep
 * against the spec and readelf, plus the Go compiler's own attributes (cmd/internal/dwarf).
 */

// §7.5.1 unit types (DWARF 5).
export const DW_UT_compile = 0x01;
export const DW_UT_type = 0x02;
export const DW_UT_partial = 0x03;
export const DW_UT_skeleton = 0x04;
export const DW_UT_split_compile = 0x05;
export const DW_UT_split_type = 0x06;

// §7.5.3 tags.
export const DW_TAG_array_type = 0x01;
export const DW_TAG_enumeration_type = 0x04;
export const DW_TAG_formal_parameter = 0x05;
export const DW_TAG_lexical_block = 0x0b;
export const DW_TAG_member = 0x0d;
export const DW_TAG_pointer_type = 0x0f;
export const DW_TAG_compile_unit = 0x11;
export const DW_TAG_structure_type = 0x13;
export const DW_TAG_subroutine_type = 0x15;
export const DW_TAG_typedef = 0x16;
export const DW_TAG_union_type = 0x17;
export const DW_TAG_unspecified_parameters = 0x18;
export const DW_TAG_variant = 0x19;
export const DW_TAG_inlined_subroutine = 0x1d;
export const DW_TAG_subrange_type = 0x21;
export const DW_TAG_base_type = 0x24;
export const DW_TAG_const_type = 0x26;
export const DW_TAG_subprogram = 0x2e;
export const DW_TAG_variable = 0x34;
export const DW_TAG_volatile_type = 0x35;
export const DW_TAG_unspecified_type = 0x3b;
export const DW_TAG_partial_unit = 0x3c;
export const DW_TAG_type_unit = 0x41;

// §7.5.4 children determination.
export const DW_CHILDREN_no = 0x00;
export const DW_CHILDREN_yes = 0x01;

// §7.5.4 attributes.
export const DW_AT_sibling = 0x01;
export const DW_AT_location = 0x02;
export const DW_AT_name = 0x03;
export const DW_AT_byte_size = 0x0b;
export const DW_AT_stmt_list = 0x10;
export const DW_AT_low_pc = 0x11;
export const DW_AT_high_pc = 0x12;
export const DW_AT_language = 0x13;
export const DW_AT_comp_dir = 0x1b;
export const DW_AT_const_value = 0x1c;
export const DW_AT_inline = 0x20;
export const DW_AT_producer = 0x25;
export const DW_AT_upper_bound = 0x2f;
export const DW_AT_abstract_origin = 0x31;
export const DW_AT_count = 0x37;
export const DW_AT_data_member_location = 0x38;
export const DW_AT_decl_file = 0x3a;
export const DW_AT_decl_line = 0x3b;
export const DW_AT_declaration = 0x3c;
export const DW_AT_encoding = 0x3e;
export const DW_AT_external = 0x3f;
export const DW_AT_frame_base = 0x40;
export const DW_AT_specification = 0x47;
export const DW_AT_type = 0x49;
export const DW_AT_variable_parameter = 0x4b;
export const DW_AT_ranges = 0x55;
export const DW_AT_entry_pc = 0x52;
export const DW_AT_call_file = 0x58;
export const DW_AT_call_line = 0x59;
export const DW_AT_str_offsets_base = 0x72;
export const DW_AT_addr_base = 0x73;
export const DW_AT_rnglists_base = 0x74;
export const DW_AT_loclists_base = 0x8c;
// Go's own attributes (cmd/internal/dwarf/dwarf.go).
export const DW_AT_go_kind = 0x2900;
export const DW_AT_go_key = 0x2901;
export const DW_AT_go_elem = 0x2902;
export const DW_AT_go_embedded_field = 0x2903;
export const DW_AT_go_runtime_type = 0x2904;
export const DW_AT_go_package_name = 0x2905;
export const DW_AT_go_dict_index = 0x2906;
export const DW_AT_go_closure_offset = 0x2907;

// §7.5.6 forms.
export const DW_FORM_addr = 0x01;
export const DW_FORM_block2 = 0x03;
export const DW_FORM_block4 = 0x04;
export const DW_FORM_data2 = 0x05;
export const DW_FORM_data4 = 0x06;
export const DW_FORM_data8 = 0x07;
export const DW_FORM_string = 0x08;
export const DW_FORM_block = 0x09;
export const DW_FORM_block1 = 0x0a;
export const DW_FORM_data1 = 0x0b;
export const DW_FORM_flag = 0x0c;
export const DW_FORM_sdata = 0x0d;
export const DW_FORM_strp = 0x0e;
export const DW_FORM_udata = 0x0f;
export const DW_FORM_ref_addr = 0x10;
export const DW_FORM_ref1 = 0x11;
export const DW_FORM_ref2 = 0x12;
export const DW_FORM_ref4 = 0x13;
export const DW_FORM_ref8 = 0x14;
export const DW_FORM_ref_udata = 0x15;
export const DW_FORM_indirect = 0x16;
export const DW_FORM_sec_offset = 0x17;
export const DW_FORM_exprloc = 0x18;
export const DW_FORM_flag_present = 0x19;
export const DW_FORM_strx = 0x1a;
export const DW_FORM_addrx = 0x1b;
export const DW_FORM_ref_sup4 = 0x1c;
export const DW_FORM_strp_sup = 0x1d;
export const DW_FORM_data16 = 0x1e;
export const DW_FORM_line_strp = 0x1f;
export const DW_FORM_ref_sig8 = 0x20;
export const DW_FORM_implicit_const = 0x21;
export const DW_FORM_loclistx = 0x22;
export const DW_FORM_rnglistx = 0x23;
export const DW_FORM_ref_sup8 = 0x24;
export const DW_FORM_strx1 = 0x25;
export const DW_FORM_strx2 = 0x26;
export const DW_FORM_strx3 = 0x27;
export const DW_FORM_strx4 = 0x28;
export const DW_FORM_addrx1 = 0x29;
export const DW_FORM_addrx2 = 0x2a;
export const DW_FORM_addrx3 = 0x2b;
export const DW_FORM_addrx4 = 0x2c;
// GNU extensions seen in gcc-built (cgo) units.
export const DW_FORM_GNU_addr_index = 0x1f01;
export const DW_FORM_GNU_str_index = 0x1f02;
export const DW_FORM_GNU_ref_alt = 0x1f20;
export const DW_FORM_GNU_strp_alt = 0x1f21;

// §7.7.1 location expression operations.
export const DW_OP_addr = 0x03;
export const DW_OP_deref = 0x06;
export const DW_OP_const1u = 0x08;
export const DW_OP_const1s = 0x09;
export const DW_OP_const2u = 0x0a;
export const DW_OP_const2s = 0x0b;
export const DW_OP_const4u = 0x0c;
export const DW_OP_const4s = 0x0d;
export const DW_OP_const8u = 0x0e;
export const DW_OP_const8s = 0x0f;
export const DW_OP_constu = 0x10;
export const DW_OP_consts = 0x11;
export const DW_OP_dup = 0x12;
export const DW_OP_drop = 0x13;
export const DW_OP_over = 0x14;
export const DW_OP_pick = 0x15;
export const DW_OP_swap = 0x16;
export const DW_OP_rot = 0x17;
export const DW_OP_xderef = 0x18;
export const DW_OP_abs = 0x19;
export const DW_OP_and = 0x1a;
export const DW_OP_div = 0x1b;
export const DW_OP_minus = 0x1c;
export const DW_OP_mod = 0x1d;
export const DW_OP_mul = 0x1e;
export const DW_OP_neg = 0x1f;
export const DW_OP_not = 0x20;
export const DW_OP_or = 0x21;
export const DW_OP_plus = 0x22;
export const DW_OP_plus_uconst = 0x23;
export const DW_OP_shl = 0x24;
export const DW_OP_shr = 0x25;
export const DW_OP_shra = 0x26;
export const DW_OP_xor = 0x27;
export const DW_OP_bra = 0x28;
export const DW_OP_eq = 0x29;
export const DW_OP_ge = 0x2a;
export const DW_OP_gt = 0x2b;
export const DW_OP_le = 0x2c;
export const DW_OP_lt = 0x2d;
export const DW_OP_ne = 0x2e;
export const DW_OP_skip = 0x2f;
export const DW_OP_lit0 = 0x30;
export const DW_OP_lit31 = 0x4f;
export const DW_OP_reg0 = 0x50;
export const DW_OP_reg31 = 0x6f;
export const DW_OP_breg0 = 0x70;
export const DW_OP_breg31 = 0x8f;
export const DW_OP_regx = 0x90;
export const DW_OP_fbreg = 0x91;
export const DW_OP_bregx = 0x92;
export const DW_OP_piece = 0x93;
export const DW_OP_deref_size = 0x94;
export const DW_OP_xderef_size = 0x95;
export const DW_OP_nop = 0x96;
export const DW_OP_push_object_address = 0x97;
export const DW_OP_call2 = 0x98;
export const DW_OP_call4 = 0x99;
export const DW_OP_call_ref = 0x9a;
export const DW_OP_form_tls_address = 0x9b;
export const DW_OP_call_frame_cfa = 0x9c;
export const DW_OP_bit_piece = 0x9d;
export const DW_OP_implicit_value = 0x9e;
export const DW_OP_stack_value = 0x9f;
export const DW_OP_implicit_pointer = 0xa0;
export const DW_OP_addrx = 0xa1;
export const DW_OP_constx = 0xa2;
export const DW_OP_entry_value = 0xa3;
export const DW_OP_const_type = 0xa4;
export const DW_OP_regval_type = 0xa5;
export const DW_OP_deref_type = 0xa6;
export const DW_OP_xderef_type = 0xa7;
export const DW_OP_convert = 0xa8;
export const DW_OP_reinterpret = 0xa9;
export const DW_OP_GNU_push_tls_address = 0xe0;
export const DW_OP_GNU_entry_value = 0xf3;

// §7.7.3 location list entries (DWARF 5 .debug_loclists).
export const DW_LLE_end_of_list = 0x00;
export const DW_LLE_base_addressx = 0x01;
export const DW_LLE_startx_endx = 0x02;
export const DW_LLE_startx_length = 0x03;
export const DW_LLE_offset_pair = 0x04;
export const DW_LLE_default_location = 0x05;
export const DW_LLE_base_address = 0x06;
export const DW_LLE_start_end = 0x07;
export const DW_LLE_start_length = 0x08;

// §7.25 range list entries (DWARF 5 .debug_rnglists).
export const DW_RLE_end_of_list = 0x00;
export const DW_RLE_base_addressx = 0x01;
export const DW_RLE_startx_endx = 0x02;
export const DW_RLE_startx_length = 0x03;
export const DW_RLE_offset_pair = 0x04;
export const DW_RLE_base_address = 0x05;
export const DW_RLE_start_end = 0x06;
export const DW_RLE_start_length = 0x07;

// §7.8 base type encodings.
export const DW_ATE_address = 0x01;
export const DW_ATE_boolean = 0x02;
export const DW_ATE_complex_float = 0x03;
export const DW_ATE_float = 0x04;
export const DW_ATE_signed = 0x05;
export const DW_ATE_signed_char = 0x06;
export const DW_ATE_unsigned = 0x07;
export const DW_ATE_unsigned_char = 0x08;
export const DW_ATE_UTF = 0x10;

// §7.12 inline codes.
export const DW_INL_not_inlined = 0x00;
export const DW_INL_inlined = 0x01;
export const DW_INL_declared_not_inlined = 0x02;
export const DW_INL_declared_inlined = 0x03;

// §7.22 line number opcodes.
export const DW_LNS_copy = 0x01;
export const DW_LNS_advance_pc = 0x02;
export const DW_LNS_advance_line = 0x03;
export const DW_LNS_set_file = 0x04;
export const DW_LNS_set_column = 0x05;
export const DW_LNS_negate_stmt = 0x06;
export const DW_LNS_set_basic_block = 0x07;
export const DW_LNS_const_add_pc = 0x08;
export const DW_LNS_fixed_advance_pc = 0x09;
export const DW_LNS_set_prologue_end = 0x0a;
export const DW_LNS_set_epilogue_begin = 0x0b;
export const DW_LNS_set_isa = 0x0c;
export const DW_LNE_end_sequence = 0x01;
export const DW_LNE_set_address = 0x02;
export const DW_LNE_define_file = 0x03;
export const DW_LNE_set_discriminator = 0x04;
// §7.22 line number header entry formats (DWARF 5).
export const DW_LNCT_path = 0x1;
export const DW_LNCT_directory_index = 0x2;
export const DW_LNCT_timestamp = 0x3;
export const DW_LNCT_size = 0x4;
export const DW_LNCT_MD5 = 0x5;

// §7.13 languages.
export const DW_LANG_Go = 0x16;
